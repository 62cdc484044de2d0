<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>AutoReplyRuleListModel</name>
    <message>
        <source>Keyword</source>
        <translation>Schlüsselwort</translation>
    </message>
    <message>
        <source>Away (outside business hours)</source>
        <translation>Abwesenheit (außerhalb der Geschäftszeiten)</translation>
    </message>
    <message>
        <source>Welcome (first message)</source>
        <translation>Begrüßung (erste Nachricht)</translation>
    </message>
    <message>
        <source>Exact</source>
        <translation>Exakt</translation>
    </message>
    <message>
        <source>Contains</source>
        <translation>Enthält</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>Regulärer Ausdruck</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Trigger</source>
        <translation>Auslöser</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n business-hour window(s), %1 holiday(s)</source>
        <translation>
            <numerusform>%n Zeitfenster der Geschäftszeiten, Feiertage: %1</numerusform>
            <numerusform>%n Zeitfenster der Geschäftszeiten, Feiertage: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>A contact&apos;s first message</source>
        <translation>Die erste Nachricht eines Kontakts</translation>
    </message>
    <message>
        <source>Every client</source>
        <translation>Jeder Client</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Daily volume</source>
        <translation>Tägliches Volumen</translation>
    </message>
    <message>
        <source>Delivery and read rates</source>
        <translation>Zustell- und Leseraten</translation>
    </message>
    <message>
        <source>First response times</source>
        <translation>Erste Antwortzeiten</translation>
    </message>
    <message>
        <source>Busiest hours</source>
        <translation>Stoßzeiten</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Zustellrate</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Leserate</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>0–1 h</source>
        <translation>0–1 h</translation>
    </message>
    <message>
        <source>1–4 h</source>
        <translation>1–4 h</translation>
    </message>
    <message>
        <source>4–8 h</source>
        <translation>4–8 h</translation>
    </message>
    <message>
        <source>8–24 h</source>
        <translation>8–24 h</translation>
    </message>
    <message>
        <source>24 h +</source>
        <translation>24 h +</translation>
    </message>
    <message>
        <source>%1 (%2, messages sent and received)</source>
        <translation>%1 (%2, gesendete und empfangene Nachrichten)</translation>
    </message>
    <message>
        <source>WaDesk report · page %1</source>
        <translation>WaDesk-Bericht · Seite %1</translation>
    </message>
    <message>
        <source>No rows.</source>
        <translation>Keine Zeilen.</translation>
    </message>
    <message>
        <source>WaDesk report: %1</source>
        <translation>WaDesk-Bericht: %1</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Messaging report</source>
        <translation>Nachrichtenbericht</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Organization: %1</source>
        <translation>Organisation: %1</translation>
    </message>
    <message>
        <source>Range: %1 (days in %2)</source>
        <translation>Zeitraum: %1 (Tage in %2)</translation>
    </message>
    <message>
        <source>Clients: %1</source>
        <translation>Clients: %1</translation>
    </message>
    <message>
        <source>all clients</source>
        <translation>alle Clients</translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation>Erstellt: %1</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Pro Client</translation>
    </message>
    <message>
        <source>Per team member (messages they wrote)</source>
        <translation>Pro Teammitglied (von ihm geschriebene Nachrichten)</translation>
    </message>
    <message>
        <source>Forever</source>
        <translation>Unbegrenzt</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
</context>
<context>
    <name>QuickReplyListModel</name>
    <message>
        <source>Shortcut</source>
        <translation>Kürzel</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
</context>
<context>
    <name>TemplateListModel</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Variables</source>
        <translation>Variablen</translation>
    </message>
</context>
<context>
    <name>wadesk::AccountDialog</name>
    <message>
        <source>My Account</source>
        <translation>Mein Konto</translation>
    </message>
    <message>
        <source>Signed in as %1 &lt;%2&gt;, %3.</source>
        <translation>Angemeldet als %1 &lt;%2&gt;, %3.</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>Nicht angemeldet.</translation>
    </message>
    <message>
        <source>Change your password</source>
        <translation>Ihr Passwort ändern</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Aktuelles Passwort</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Neues Passwort</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>Neues Passwort wiederholen</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>&amp;Aktuelles Passwort:</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>&amp;Neues Passwort:</translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <source>%1 to %2 characters.</source>
        <translation>%1 bis %2 Zeichen.</translation>
    </message>
    <message>
        <source>C&amp;hange Password</source>
        <translation>Passwort &amp;ändern</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Passwort ändern</translation>
    </message>
    <message>
        <source>Password error</source>
        <translation>Passwortfehler</translation>
    </message>
    <message>
        <source>Delete a client</source>
        <translation>Einen Client löschen</translation>
    </message>
    <message>
        <source>Deletes the client with its session, messages and queue. You are asked to confirm.</source>
        <translation>Löscht den Client mit seiner Sitzung, seinen Nachrichten und seiner Warteschlange. Sie werden um Bestätigung gebeten.</translation>
    </message>
    <message>
        <source>Client to delete</source>
        <translation>Zu löschender Client</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <source>&amp;Delete Client…</source>
        <translation>Client lö&amp;schen…</translation>
    </message>
    <message>
        <source>Delete client</source>
        <translation>Client löschen</translation>
    </message>
    <message>
        <source>Delete client error</source>
        <translation>Fehler beim Löschen des Clients</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>Geben Sie Ihr aktuelles Passwort ein.</translation>
    </message>
    <message>
        <source>The new password and its repetition differ.</source>
        <translation>Das neue Passwort und seine Wiederholung stimmen nicht überein.</translation>
    </message>
    <message>
        <source>The new password is the current one.</source>
        <translation>Das neue Passwort ist das aktuelle.</translation>
    </message>
    <message>
        <source>Your account no longer exists.</source>
        <translation>Ihr Konto existiert nicht mehr.</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>Das aktuelle Passwort ist falsch.</translation>
    </message>
    <message>
        <source>Password changed. Use the new one the next time you sign in.</source>
        <translation>Passwort geändert. Verwenden Sie bei der nächsten Anmeldung das neue.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>No clients</source>
        <translation>Keine Clients</translation>
    </message>
</context>
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <source>Add client</source>
        <translation>Client hinzufügen</translation>
    </message>
    <message>
        <source>Front desk</source>
        <translation>Empfang</translation>
    </message>
    <message>
        <source>Client name</source>
        <translation>Name des Clients</translation>
    </message>
    <message>
        <source>+14155552671 (optional)</source>
        <translation>+14155552671 (optional)</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>&amp;Telefonnummer:</translation>
    </message>
    <message>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation>Starten Sie den Client nach dem Hinzufügen und scannen Sie seinen QR-Code mit dem Telefon.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>wadesk::AddMemberDialog</name>
    <message>
        <source>Add team member</source>
        <translation>Teammitglied hinzufügen</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>Anfangspasswort</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <source>Initial &amp;password:</source>
        <translation>Anfangs&amp;passwort:</translation>
    </message>
    <message>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation>Das neue Mitglied meldet sich mit dieser E-Mail-Adresse und diesem Passwort an; geben Sie das Passwort auf sicherem Weg weiter.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Mitglied hinzufügen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::AddWebhookDialog</name>
    <message>
        <source>Add Webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>Webhook-URL</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Events to send:</source>
        <translation>Zu sendende &amp;Ereignisse:</translation>
    </message>
    <message>
        <source>Events to send</source>
        <translation>Zu sendende Ereignisse</translation>
    </message>
    <message>
        <source>All events, including those added later</source>
        <translation>Alle Ereignisse, auch später hinzukommende</translation>
    </message>
    <message>
        <source>The signing secret is shown once, after the webhook is added.</source>
        <translation>Das Signaturgeheimnis wird einmal angezeigt, nachdem der Webhook hinzugefügt wurde.</translation>
    </message>
    <message>
        <source>Add webhook error</source>
        <translation>Fehler beim Hinzufügen des Webhooks</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeyListModel</name>
    <message>
        <source>Revoked</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <source>%1, key %2, last used %3, expires %4, %5</source>
        <translation>%1, Schlüssel %2, zuletzt verwendet %3, läuft ab %4, %5</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Sign in to manage API keys.</source>
        <translation>Melden Sie sich an, um API-Schlüssel zu verwalten.</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeysDialog</name>
    <message>
        <source>API Keys</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Keys for the REST API. Each key acts with its owner&apos;s role; as an admin you see every key of the organization.</source>
        <translation>Schlüssel für die REST-API. Jeder Schlüssel handelt mit der Rolle seines Besitzers; als Admin sehen Sie jeden Schlüssel der Organisation.</translation>
    </message>
    <message>
        <source>Your keys for the REST API. Each key acts with your role.</source>
        <translation>Ihre Schlüssel für die REST-API. Jeder Schlüssel handelt mit Ihrer Rolle.</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>&amp;Create…</source>
        <translation>&amp;Erstellen…</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>API-Schlüssel erstellen</translation>
    </message>
    <message>
        <source>Create a key; it is shown once</source>
        <translation>Einen Schlüssel erstellen; er wird einmal angezeigt</translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation>&amp;Widerrufen…</translation>
    </message>
    <message>
        <source>Revoke API key</source>
        <translation>API-Schlüssel widerrufen</translation>
    </message>
    <message>
        <source>Stop the selected key from working, for good</source>
        <translation>Den ausgewählten Schlüssel endgültig sperren</translation>
    </message>
    <message>
        <source>API keys error</source>
        <translation>Fehler bei API-Schlüsseln</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>No API keys yet. Use Create… to make one.</source>
        <translation>Noch keine API-Schlüssel. Erstellen Sie einen mit „Erstellen…“.</translation>
    </message>
    <message>
        <source>Give the key a name of 1 to 100 characters.</source>
        <translation>Geben Sie dem Schlüssel einen Namen mit 1 bis 100 Zeichen.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>Das Ablaufdatum muss in der Zukunft liegen.</translation>
    </message>
    <message>
        <source>API Key Created</source>
        <translation>API-Schlüssel erstellt</translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; is below. Send it in the X-API-Key header.</source>
        <translation>Der API-Schlüssel „%1“ steht unten. Senden Sie ihn im Header X-API-Key.</translation>
    </message>
    <message>
        <source>Revoke the key &quot;%1&quot; (%2…%3)? Programs using it stop working at once; this cannot be undone.</source>
        <translation>Den Schlüssel „%1“ (%2…%3) widerrufen? Programme, die ihn verwenden, funktionieren sofort nicht mehr; das kann nicht rückgängig gemacht werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <source>Assign proxy</source>
        <translation>Proxy zuweisen</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Automatic (the least used healthy proxy)</source>
        <translation>Automatisch (der am wenigsten genutzte funktionierende Proxy)</translation>
    </message>
    <message>
        <source>No proxy (connect directly)</source>
        <translation>Kein Proxy (direkt verbinden)</translation>
    </message>
    <message>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation>%1 — %2, %3 von %4 Clients, %5</translation>
    </message>
    <message>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation>Bei Ausfall auf einen anderen funktionierenden Proxy &amp;wechseln</translation>
    </message>
    <message>
        <source>Allow failover to another proxy</source>
        <translation>Wechsel auf einen anderen Proxy erlauben</translation>
    </message>
    <message>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation>Aus: Solange sein Proxy ausgefallen ist, wartet der Client und verbindet sich nie direkt.</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>Jetzt:</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation>Der Client behält diesen Proxy: WaDesk wechselt keine Adressen, denn eine Nummer mit wechselnder Adresse wirkt automatisiert.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Zuweisen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>Kein Proxy</translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <source>The file is no longer stored.</source>
        <translation>Die Datei ist nicht mehr gespeichert.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The stored file could not be read whole.</source>
        <translation>Die gespeicherte Datei konnte nicht vollständig gelesen werden.</translation>
    </message>
    <message>
        <source>No temporary folder could be made: %1</source>
        <translation>Es konnte kein temporärer Ordner angelegt werden: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogDialog</name>
    <message>
        <source>Audit Log</source>
        <translation>Audit-Protokoll</translation>
    </message>
    <message>
        <source>&amp;Member:</source>
        <translation>&amp;Mitglied:</translation>
    </message>
    <message>
        <source>Show entries by member</source>
        <translation>Einträge nach Mitglied anzeigen</translation>
    </message>
    <message>
        <source>A&amp;ction:</source>
        <translation>A&amp;ktion:</translation>
    </message>
    <message>
        <source>Show entries with action</source>
        <translation>Einträge mit Aktion anzeigen</translation>
    </message>
    <message>
        <source>&amp;Resource:</source>
        <translation>&amp;Ressource:</translation>
    </message>
    <message>
        <source>Show entries about resource</source>
        <translation>Einträge zu Ressource anzeigen</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Von:</translation>
    </message>
    <message>
        <source>Limit to entries from a date</source>
        <translation>Auf Einträge ab einem Datum beschränken</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>Erster Tag</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Bis:</translation>
    </message>
    <message>
        <source>Limit to entries up to a date</source>
        <translation>Auf Einträge bis zu einem Datum beschränken</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>Letzter Tag</translation>
    </message>
    <message>
        <source>Audit log entries</source>
        <translation>Einträge des Audit-Protokolls</translation>
    </message>
    <message>
        <source>Details of the selected entry</source>
        <translation>Details des ausgewählten Eintrags</translation>
    </message>
    <message>
        <source>Select an entry to see its details.</source>
        <translation>Wählen Sie einen Eintrag, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>Chain verification result</source>
        <translation>Ergebnis der Kettenprüfung</translation>
    </message>
    <message>
        <source>&amp;Verify Chain</source>
        <translation>Kette &amp;prüfen</translation>
    </message>
    <message>
        <source>Verify chain</source>
        <translation>Kette prüfen</translation>
    </message>
    <message>
        <source>Check that no entry was edited, removed or added behind the log&apos;s back</source>
        <translation>Prüfen, dass kein Eintrag am Protokoll vorbei bearbeitet, entfernt oder hinzugefügt wurde</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>CSV &amp;exportieren…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <source>Save the entries shown as a CSV file</source>
        <translation>Die angezeigten Einträge als CSV-Datei speichern</translation>
    </message>
    <message>
        <source>Audit log error</source>
        <translation>Fehler im Audit-Protokoll</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Entry: %1 (#%2)</source>
        <translation>Eintrag: %1 (#%2)</translation>
    </message>
    <message>
        <source>Time: %1 (%2)</source>
        <translation>Zeit: %1 (%2)</translation>
    </message>
    <message>
        <source>Member: %1</source>
        <translation>Mitglied: %1</translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation>Aktion: %1</translation>
    </message>
    <message>
        <source>Resource: %1 %2</source>
        <translation>Ressource: %1 %2</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Adresse: %1</translation>
    </message>
    <message>
        <source>Hash: %1</source>
        <translation>Hash: %1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Details:</translation>
    </message>
    <message>
        <source>Entries shown: %1</source>
        <translation>Angezeigte Einträge: %1</translation>
    </message>
    <message>
        <source>(the newest %1; narrow the dates to see older ones)</source>
        <translation>(die neuesten %1; schränken Sie die Daten ein, um ältere zu sehen)</translation>
    </message>
    <message>
        <source>Chain intact. Entries checked: %1.</source>
        <translation>Kette intakt. Geprüfte Einträge: %1.</translation>
    </message>
    <message>
        <source>Chain broken at entry #%1 (%2): %3</source>
        <translation>Kette unterbrochen bei Eintrag #%1 (%2): %3</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Ihre Rolle darf das Audit-Protokoll nicht sehen.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Export Audit Log</source>
        <translation>Audit-Protokoll exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Entries exported: %1, to %2.</source>
        <translation>Exportierte Einträge: %1, nach %2.</translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogModel</name>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 by %5</source>
        <translation>%1: %2 %3 %4 durch %5</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Resource</source>
        <translation>Ressource</translation>
    </message>
    <message>
        <source>Resource ID</source>
        <translation>Ressourcen-ID</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Ihre Rolle darf das Audit-Protokoll nicht sehen.</translation>
    </message>
</context>
<context>
    <name>wadesk::AutoReplyRuleDialog</name>
    <message>
        <source>Edit Auto-reply Rule</source>
        <translation>Regel für automatische Antwort bearbeiten</translation>
    </message>
    <message>
        <source>New Auto-reply Rule</source>
        <translation>Neue Regel für automatische Antwort</translation>
    </message>
    <message>
        <source>Rule name</source>
        <translation>Name der Regel</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Every client of the organization</source>
        <translation>Jeder Client der Organisation</translation>
    </message>
    <message>
        <source>&amp;Applies to:</source>
        <translation>&amp;Gilt für:</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Schlüsselwörter</translation>
    </message>
    <message>
        <source>Match mode</source>
        <translation>Vergleichsmodus</translation>
    </message>
    <message>
        <source>&amp;Match:</source>
        <translation>&amp;Vergleich:</translation>
    </message>
    <message>
        <source>Keywords, one a line</source>
        <translation>Schlüsselwörter, eines pro Zeile</translation>
    </message>
    <message>
        <source>One word, phrase or pattern a line; case and accents are ignored</source>
        <translation>Ein Wort, eine Wendung oder ein Muster pro Zeile; Groß-/Kleinschreibung und Akzente werden ignoriert</translation>
    </message>
    <message>
        <source>K&amp;eywords:</source>
        <translation>Schlüssel&amp;wörter:</translation>
    </message>
    <message>
        <source>Business hours (the away message is sent outside them)</source>
        <translation>Geschäftszeiten (außerhalb davon wird die Abwesenheitsnachricht gesendet)</translation>
    </message>
    <message>
        <source>Open on:</source>
        <translation>Geöffnet am:</translation>
    </message>
    <message>
        <source>Opens at</source>
        <translation>Öffnet um</translation>
    </message>
    <message>
        <source>Closes at</source>
        <translation>Schließt um</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <source>Holidays</source>
        <translation>Feiertage</translation>
    </message>
    <message>
        <source>2026-12-25, 2027-01-01</source>
        <translation>2026-12-25, 2027-01-01</translation>
    </message>
    <message>
        <source>&amp;Holidays:</source>
        <translation>&amp;Feiertage:</translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation>Antworttext</translation>
    </message>
    <message>
        <source>&amp;Reply:</source>
        <translation>&amp;Antwort:</translation>
    </message>
    <message>
        <source>At most once per contact within, in minutes</source>
        <translation>Höchstens einmal pro Kontakt innerhalb von, in Minuten</translation>
    </message>
    <message>
        <source>the kind&apos;s default (a day; 5 minutes for keywords)</source>
        <translation>Standard des Typs (ein Tag; 5 Minuten bei Schlüsselwörtern)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> Min.</translation>
    </message>
    <message>
        <source>Once per contact &amp;within:</source>
        <translation>Einmal pro Kontakt &amp;innerhalb:</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Rules with a lower number are tried first</source>
        <translation>Regeln mit einer niedrigeren Zahl werden zuerst geprüft</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>&amp;Priorität:</translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation>A&amp;ktiv</translation>
    </message>
    <message>
        <source>Rule error</source>
        <translation>Regelfehler</translation>
    </message>
</context>
<context>
    <name>wadesk::AutomationDialog</name>
    <message>
        <source>Templates and Replies</source>
        <translation>Vorlagen und Antworten</translation>
    </message>
    <message>
        <source>No templates yet. A template is a message with variables such as {{name}}, filled in for each contact of a campaign. Add one with Add….</source>
        <translation>Noch keine Vorlagen. Eine Vorlage ist eine Nachricht mit Variablen wie {{name}}, die für jeden Kontakt einer Kampagne ausgefüllt werden. Fügen Sie eine mit Hinzufügen… hinzu.</translation>
    </message>
    <message>
        <source>No quick replies yet. A quick reply is a saved text: type / and its shortcut in the composer to insert it.</source>
        <translation>Noch keine Schnellantworten. Eine Schnellantwort ist ein gespeicherter Text: Geben Sie im Eingabefeld / und ihr Kürzel ein, um sie einzufügen.</translation>
    </message>
    <message>
        <source>No auto-reply rules yet. A rule answers a keyword, messages outside business hours or a first-time contact by itself.</source>
        <translation>Noch keine Regeln für automatische Antworten. Eine Regel beantwortet selbständig ein Schlüsselwort, Nachrichten außerhalb der Geschäftszeiten oder einen Kontakt, der zum ersten Mal schreibt.</translation>
    </message>
    <message>
        <source>&amp;Templates</source>
        <translation>&amp;Vorlagen</translation>
    </message>
    <message>
        <source>&amp;Quick Replies</source>
        <translation>&amp;Schnellantworten</translation>
    </message>
    <message>
        <source>&amp;Auto-replies</source>
        <translation>&amp;Automatische Antworten</translation>
    </message>
    <message>
        <source>Templates and replies error</source>
        <translation>Fehler bei Vorlagen und Antworten</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Vorlagen</translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation>Schnellantworten</translation>
    </message>
    <message>
        <source>Auto-reply rules</source>
        <translation>Regeln für automatische Antworten</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;? This cannot be undone.</source>
        <translation>„%1“ löschen? Das kann nicht rückgängig gemacht werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignDetailDialog</name>
    <message>
        <source>Campaign</source>
        <translation>Kampagne</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Replied</source>
        <translation>Beantwortet</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <source>Show recipients by status</source>
        <translation>Empfänger nach Status anzeigen</translation>
    </message>
    <message>
        <source>All recipients</source>
        <translation>Alle Empfänger</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Anzeigen:</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Empfänger</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Kampagnenfehler</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>&amp;CSV exportieren…</translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation>&amp;JSON exportieren…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Campaign: %1</source>
        <translation>Kampagne: %1</translation>
    </message>
    <message>
        <source>Export Campaign</source>
        <translation>Kampagne exportieren</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON-Dateien (*.json)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignListModel</name>
    <message>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>Pausiert: %1</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Nicht gestartet</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 von %2 gesendet</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignRecipientModel</name>
    <message>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignWizard</name>
    <message>
        <source>New Campaign</source>
        <translation>Neue Kampagne</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Erstellen</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>Zielgruppe</translation>
    </message>
    <message>
        <source>Who receives the campaign, and from which client</source>
        <translation>Wer die Kampagne erhält und von welchem Client</translation>
    </message>
    <message>
        <source>Campaign name</source>
        <translation>Name der Kampagne</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Client that sends</source>
        <translation>Sendender Client</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Client:</translation>
    </message>
    <message>
        <source>Phone &amp;numbers</source>
        <translation>&amp;Telefonnummern</translation>
    </message>
    <message>
        <source>Contacts with &amp;tags (any of them)</source>
        <translation>Kontakte mit T&amp;ags (mindestens einem davon)</translation>
    </message>
    <message>
        <source>A saved &amp;segment</source>
        <translation>Ein gespeichertes &amp;Segment</translation>
    </message>
    <message>
        <source>Contact &amp;ids</source>
        <translation>Kontakt-&amp;IDs</translation>
    </message>
    <message>
        <source>Phone numbers, one a line</source>
        <translation>Telefonnummern, eine pro Zeile</translation>
    </message>
    <message>
        <source>+14155550100
+14155550101</source>
        <translation>+14155550100
+14155550101</translation>
    </message>
    <message>
        <source>Tags, separated by commas</source>
        <translation>Tags, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>vip, newsletter</source>
        <translation>vip, newsletter</translation>
    </message>
    <message>
        <source>Saved segment</source>
        <translation>Gespeichertes Segment</translation>
    </message>
    <message>
        <source>Contact ids, one a line</source>
        <translation>Kontakt-IDs, eine pro Zeile</translation>
    </message>
    <message>
        <source>Recipients:</source>
        <translation>Empfänger:</translation>
    </message>
    <message>
        <source>Audience error</source>
        <translation>Zielgruppenfehler</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>The text every recipient receives, or a template filled in for each</source>
        <translation>Der Text, den jeder Empfänger erhält, oder eine Vorlage, die für jeden ausgefüllt wird</translation>
    </message>
    <message>
        <source>&amp;Text</source>
        <translation>&amp;Text</translation>
    </message>
    <message>
        <source>T&amp;emplate</source>
        <translation>&amp;Vorlage</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Sample contact for the preview</source>
        <translation>Beispielkontakt für die Vorschau</translation>
    </message>
    <message>
        <source>Message error</source>
        <translation>Nachrichtenfehler</translation>
    </message>
    <message>
        <source>Te&amp;mplate:</source>
        <translation>Vor&amp;lage:</translation>
    </message>
    <message>
        <source>&amp;Preview for:</source>
        <translation>Vorschau &amp;für:</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vorschau:</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Zeitplan</translation>
    </message>
    <message>
        <source>When it starts, when it may send, and how much a day</source>
        <translation>Wann sie startet, wann sie senden darf und wie viel pro Tag</translation>
    </message>
    <message>
        <source>Start &amp;now</source>
        <translation>&amp;Jetzt starten</translation>
    </message>
    <message>
        <source>Start &amp;at:</source>
        <translation>Starten &amp;um:</translation>
    </message>
    <message>
        <source>Start time</source>
        <translation>Startzeit</translation>
    </message>
    <message>
        <source>Send only within a &amp;window (the organization&apos;s time zone)</source>
        <translation>Nur in einem Zeit&amp;fenster senden (Zeitzone der Organisation)</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>Tage:</translation>
    </message>
    <message>
        <source>Window opens</source>
        <translation>Beginn des Zeitfensters</translation>
    </message>
    <message>
        <source>Window closes</source>
        <translation>Ende des Zeitfensters</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Hours:</source>
        <translation>Uhrzeit:</translation>
    </message>
    <message>
        <source>Messages per day at most</source>
        <translation>Höchstzahl an Nachrichten pro Tag</translation>
    </message>
    <message>
        <source>No cap</source>
        <translation>Kein Limit</translation>
    </message>
    <message>
        <source>Per-day &amp;cap:</source>
        <translation>&amp;Tageslimit:</translation>
    </message>
    <message>
        <source>Schedule error</source>
        <translation>Zeitplanfehler</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Überprüfen</translation>
    </message>
    <message>
        <source>Check what will be sent; Create stores the campaign</source>
        <translation>Prüfen Sie, was gesendet wird; „Erstellen“ speichert die Kampagne</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Kampagnenfehler</translation>
    </message>
    <message numerus="yes">
        <source>%n recipient(s)</source>
        <translation>
            <numerusform>%n Empfänger</numerusform>
            <numerusform>%n Empfänger</numerusform>
        </translation>
    </message>
    <message>
        <source>There is no template yet: write the text instead.</source>
        <translation>Es gibt noch keine Vorlage: Schreiben Sie stattdessen den Text.</translation>
    </message>
    <message>
        <source>(No value for {{%1}}: recipients without one are skipped.)</source>
        <translation>(Kein Wert für {{%1}}: Empfänger ohne diesen Wert werden übersprungen.)</translation>
    </message>
    <message>
        <source>Name: %1</source>
        <translation>Name: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Client: %1</source>
        <translation>Client: %1</translation>
    </message>
    <message>
        <source>Recipients: %1 (duplicates and opted-out contacts are skipped at the start)</source>
        <translation>Empfänger: %1 (Duplikate und abgemeldete Kontakte werden beim Start übersprungen)</translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation>Nachricht: %1</translation>
    </message>
    <message>
        <source>Template: %1</source>
        <translation>Vorlage: %1</translation>
    </message>
    <message>
        <source>Starts: %1</source>
        <translation>Start: %1</translation>
    </message>
    <message>
        <source>Starts: now</source>
        <translation>Start: sofort</translation>
    </message>
    <message>
        <source>Window: %1 to %2</source>
        <translation>Zeitfenster: %1 bis %2</translation>
    </message>
    <message>
        <source>At most %1 a day</source>
        <translation>Höchstens %1 pro Tag</translation>
    </message>
    <message>
        <source>Estimated finish: %1</source>
        <translation>Voraussichtliches Ende: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignsDialog</name>
    <message>
        <source>Campaigns</source>
        <translation>Kampagnen</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Kampagnenfehler</translation>
    </message>
    <message>
        <source>&amp;New Campaign…</source>
        <translation>&amp;Neue Kampagne…</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Cancel Campaign…</source>
        <translation>Kampagne a&amp;bbrechen…</translation>
    </message>
    <message>
        <source>&amp;Details…</source>
        <translation>&amp;Details…</translation>
    </message>
    <message>
        <source>Cancel Campaign</source>
        <translation>Kampagne abbrechen</translation>
    </message>
    <message>
        <source>No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.</source>
        <translation>Noch keine Kampagne. „Neue Kampagne…“ sendet eine Nachricht an viele Empfänger, getaktet und fortsetzbar.</translation>
    </message>
    <message>
        <source>No campaign on the clients assigned to you.</source>
        <translation>Keine Kampagne auf den Ihnen zugewiesenen Clients.</translation>
    </message>
    <message>
        <source>Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.</source>
        <translation>Die Kampagne „%1“ abbrechen? Noch nicht erreichte Empfänger erhalten sie nicht, und sie kann nicht fortgesetzt werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <source>Your role may not manage clients.</source>
        <translation>Ihre Rolle darf keine Clients verwalten.</translation>
    </message>
    <message>
        <source>&amp;Add Client…</source>
        <translation>Client &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add a WhatsApp client</source>
        <translation>Einen WhatsApp-Client hinzufügen</translation>
    </message>
    <message>
        <source>Re&amp;name Client…</source>
        <translation>Client &amp;umbenennen…</translation>
    </message>
    <message>
        <source>Rename the selected client</source>
        <translation>Den ausgewählten Client umbenennen</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>Start the selected client&apos;s session</source>
        <translation>Die Sitzung des ausgewählten Clients starten</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation>Die Sitzung des ausgewählten Clients stoppen (er bleibt verknüpft)</translation>
    </message>
    <message>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation>Von WhatsApp &amp;abmelden…</translation>
    </message>
    <message>
        <source>Unlink the selected client&apos;s phone</source>
        <translation>Die Verknüpfung mit dem Telefon des ausgewählten Clients aufheben</translation>
    </message>
    <message>
        <source>&amp;Pause Sending</source>
        <translation>Senden &amp;pausieren</translation>
    </message>
    <message>
        <source>Hold the selected client&apos;s send queue</source>
        <translation>Die Sendewarteschlange des ausgewählten Clients anhalten</translation>
    </message>
    <message>
        <source>&amp;Resume Sending</source>
        <translation>Senden &amp;fortsetzen</translation>
    </message>
    <message>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation>Die Sendewarteschlange des ausgewählten Clients weiterlaufen lassen</translation>
    </message>
    <message>
        <source>The session could not start: %1</source>
        <translation>Die Sitzung konnte nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>WaDesk</source>
        <translation>WaDesk</translation>
    </message>
    <message>
        <source>Log out of WhatsApp</source>
        <translation>Von WhatsApp abmelden</translation>
    </message>
    <message>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation>Die Verknüpfung von „%1“ mit seinem Telefon aufheben? Zum erneuten Verknüpfen muss wieder ein QR-Code mit dem Telefon gescannt werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n wartend</numerusform>
            <numerusform>%n wartend</numerusform>
        </translation>
    </message>
    <message>
        <source>no number linked</source>
        <translation>keine Nummer verknüpft</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>Scan QR</source>
        <translation>QR scannen</translation>
    </message>
    <message>
        <source>Linking</source>
        <translation>Wird verknüpft</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1, %2, %3</source>
        <translation>%1, %2, %3</translation>
    </message>
    <message>
        <source>no number linked</source>
        <translation>keine Nummer verknüpft</translation>
    </message>
    <message numerus="yes">
        <source>, %n unread</source>
        <translation>
            <numerusform>, %n ungelesen</numerusform>
            <numerusform>, %n ungelesen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n wartend</numerusform>
            <numerusform>, %n wartend</numerusform>
        </translation>
    </message>
    <message>
        <source>, queue paused</source>
        <translation>, Warteschlange pausiert</translation>
    </message>
    <message>
        <source>Runs on %1</source>
        <translation>Läuft auf %1</translation>
    </message>
    <message>
        <source>, runs on %1</source>
        <translation>, läuft auf %1</translation>
    </message>
    <message>
        <source>%1 · Runs on %2</source>
        <translation>%1 · Läuft auf %2</translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <source>&amp;To:</source>
        <translation>A&amp;n:</translation>
    </message>
    <message>
        <source>Phone number, e.g. +14155552671</source>
        <translation>Telefonnummer, z. B. +14155552671</translation>
    </message>
    <message>
        <source>Recipient phone number</source>
        <translation>Telefonnummer des Empfängers</translation>
    </message>
    <message>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation>Nachricht schreiben (Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Senden (Strg+Eingabe)</translation>
    </message>
    <message numerus="yes">
        <source>Try again in %n second(s).</source>
        <translation>
            <numerusform>Versuchen Sie es in %n Sekunde erneut.</numerusform>
            <numerusform>Versuchen Sie es in %n Sekunden erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>Queued.</source>
        <translation>In die Warteschlange gestellt.</translation>
    </message>
    <message>
        <source>Remove the attachment</source>
        <translation>Den Anhang entfernen</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Anhang entfernen</translation>
    </message>
    <message>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation>Eine Datei anhängen (oder hier ablegen, oder ein Bild einfügen)</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Datei anhängen</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>Die Datei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Only files can be attached; %1 is not one.</source>
        <translation>Nur Dateien können angehängt werden; %1 ist keine.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation>Die Datei %1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The clipboard holds no image that can be read.</source>
        <translation>Die Zwischenablage enthält kein lesbares Bild.</translation>
    </message>
    <message>
        <source>The image could not be encoded as PNG.</source>
        <translation>Das Bild konnte nicht als PNG gespeichert werden.</translation>
    </message>
    <message>
        <source>The file %1 is empty.</source>
        <translation>Die Datei %1 ist leer.</translation>
    </message>
    <message>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation>%1 ist %2 groß; Dateien bis %3 können gesendet werden.</translation>
    </message>
    <message>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation>Bildunterschrift hinzufügen (optional; Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Bildunterschrift</translation>
    </message>
    <message>
        <source>Attachment: %1, %2</source>
        <translation>Anhang: %1, %2</translation>
    </message>
    <message>
        <source>The file %1 can no longer be read: %2</source>
        <translation>Die Datei %1 kann nicht mehr gelesen werden: %2</translation>
    </message>
    <message>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation>Die Datei %1 hat sich seit dem Anhängen geändert und ist jetzt %2 groß; Dateien bis %3 können gesendet werden.</translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation>Gesendet.</translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation>Zugestellt.</translation>
    </message>
    <message>
        <source>The message was not sent.</source>
        <translation>Die Nachricht wurde nicht gesendet.</translation>
    </message>
    <message>
        <source>The message was not sent: %1</source>
        <translation>Die Nachricht wurde nicht gesendet: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactEditDialog</name>
    <message>
        <source>Edit Contact</source>
        <translation>Kontakt bearbeiten</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Nummer:</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Name des Kontakts</translation>
    </message>
    <message>
        <source>No name</source>
        <translation>Kein Name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Contact tags</source>
        <translation>Tags des Kontakts</translation>
    </message>
    <message>
        <source>vip, spain</source>
        <translation>vip, berlin</translation>
    </message>
    <message>
        <source>Separated by commas; each 1 to 50 characters, without quotes</source>
        <translation>Durch Kommas getrennt; je 1 bis 50 Zeichen, ohne Anführungszeichen</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>&amp;Tags:</translation>
    </message>
    <message>
        <source>&amp;Opted out: send this contact nothing</source>
        <translation>&amp;Abgemeldet: diesem Kontakt nichts senden</translation>
    </message>
    <message>
        <source>Opted out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Contact error</source>
        <translation>Kontaktfehler</translation>
    </message>
    <message>
        <source>Save contact</source>
        <translation>Kontakt speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactImportDialog</name>
    <message>
        <source>semicolon</source>
        <translation>Semikolon</translation>
    </message>
    <message>
        <source>tab</source>
        <translation>Tabulator</translation>
    </message>
    <message>
        <source>comma</source>
        <translation>Komma</translation>
    </message>
    <message>
        <source>Import Contacts</source>
        <translation>Kontakte importieren</translation>
    </message>
    <message>
        <source>&amp;Choose File…</source>
        <translation>&amp;Datei wählen…</translation>
    </message>
    <message>
        <source>No file chosen. Choose a CSV file with a header row: a phone column, and name, tags or any other columns (they become the contact&apos;s attributes).</source>
        <translation>Keine Datei gewählt. Wählen Sie eine CSV-Datei mit einer Kopfzeile: eine Spalte mit Telefonnummern und Name, Tags oder beliebige andere Spalten (sie werden zu Attributen des Kontakts).</translation>
    </message>
    <message>
        <source>&amp;Delimiter:</source>
        <translation>&amp;Trennzeichen:</translation>
    </message>
    <message>
        <source>Delimiter</source>
        <translation>Trennzeichen</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Erkennen</translation>
    </message>
    <message>
        <source>Comma</source>
        <translation>Komma</translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation>Semikolon</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>Tabulator</translation>
    </message>
    <message>
        <source>Default &amp;region:</source>
        <translation>Standard&amp;region:</translation>
    </message>
    <message>
        <source>Default region</source>
        <translation>Standardregion</translation>
    </message>
    <message>
        <source>The country (two letters, such as US or DE) of numbers written without +country code</source>
        <translation>Das Land (zwei Buchstaben, z. B. US oder DE) von Nummern, die ohne +Ländervorwahl geschrieben sind</translation>
    </message>
    <message>
        <source>The file&apos;s first rows and what each column becomes</source>
        <translation>Die ersten Zeilen der Datei und wozu jede Spalte wird</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importieren</translation>
    </message>
    <message>
        <source>Ca&amp;ncel Import</source>
        <translation>Import a&amp;bbrechen</translation>
    </message>
    <message>
        <source>Rows that were skipped</source>
        <translation>Übersprungene Zeilen</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Zeile</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Import error</source>
        <translation>Importfehler</translation>
    </message>
    <message>
        <source>C&amp;opy Report</source>
        <translation>Bericht &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;Save Report…</source>
        <translation>Bericht &amp;speichern…</translation>
    </message>
    <message>
        <source>Save Import Report</source>
        <translation>Importbericht speichern</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>The report could not be written to %1.</source>
        <translation>Der Bericht konnte nicht in %1 geschrieben werden.</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt *.tsv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv *.txt *.tsv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 (%2 KB)</source>
        <translation>%1 (%2 KB)</translation>
    </message>
    <message>
        <source>(found: %1)</source>
        <translation>(erkannt: %1)</translation>
    </message>
    <message>
        <source>The file is empty or its first row is not CSV: it needs a header row.</source>
        <translation>Die Datei ist leer oder ihre erste Zeile ist kein CSV: Sie braucht eine Kopfzeile.</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>Importieren als</translation>
    </message>
    <message>
        <source>Import column %1 as</source>
        <translation>Spalte %1 importieren als</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Attribute &quot;%1&quot;</source>
        <translation>Attribut „%1“</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorieren</translation>
    </message>
    <message>
        <source>Choose the column that holds the phone numbers (&quot;Phone number&quot; above it).</source>
        <translation>Wählen Sie die Spalte mit den Telefonnummern („Telefonnummer“ darüber).</translation>
    </message>
    <message>
        <source>The default region is a country&apos;s two letters, such as US or DE (or empty when every number has its +country code).</source>
        <translation>Die Standardregion besteht aus den zwei Buchstaben eines Landes, z. B. US oder DE (oder bleibt leer, wenn jede Nummer ihre +Ländervorwahl hat).</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Import läuft…</translation>
    </message>
    <message>
        <source>The import stopped without a report.</source>
        <translation>Der Import wurde ohne Bericht beendet.</translation>
    </message>
    <message>
        <source>Cancelled: no contact was changed.</source>
        <translation>Abgebrochen: Kein Kontakt wurde geändert.</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) read: </source>
        <translation>
            <numerusform>%n Zeile gelesen: </numerusform>
            <numerusform>%n Zeilen gelesen: </numerusform>
        </translation>
    </message>
    <message>
        <source>%1 contact(s) created, %2 updated, %3 skipped.</source>
        <translation>%1 Kontakt(e) angelegt, %2 aktualisiert, %3 übersprungen.</translation>
    </message>
    <message>
        <source>Only the first %1 skipped rows are listed.</source>
        <translation>Nur die ersten %1 übersprungenen Zeilen werden aufgeführt.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactListModel</name>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation> (abgemeldet)</translation>
    </message>
    <message>
        <source>, tags: %1</source>
        <translation>, Tags: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactPageModel</name>
    <message>
        <source>Opted out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <source>Receives messages</source>
        <translation>Erhält Nachrichten</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <source>%1, %2, tags: %3, %4</source>
        <translation>%1, %2, Tags: %3, %4</translation>
    </message>
    <message>
        <source>no name</source>
        <translation>kein Name</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Nummer</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Opt-out</source>
        <translation>Abmeldung</translation>
    </message>
    <message>
        <source>Sign in to see the contacts.</source>
        <translation>Melden Sie sich an, um die Kontakte zu sehen.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactsDialog</name>
    <message>
        <source>Contacts</source>
        <translation>Kontakte</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Suchen:</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Kontakte durchsuchen</translation>
    </message>
    <message>
        <source>Name or number</source>
        <translation>Name oder Nummer</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>Edit contact</source>
        <translation>Kontakt bearbeiten</translation>
    </message>
    <message>
        <source>Change the name, tags and opt-out of the selected contact</source>
        <translation>Name, Tags und Abmeldung des ausgewählten Kontakts ändern</translation>
    </message>
    <message>
        <source>&amp;Clear Search</source>
        <translation>Suche &amp;leeren</translation>
    </message>
    <message>
        <source>Clear the search</source>
        <translation>Die Suche leeren</translation>
    </message>
    <message>
        <source>Contacts error</source>
        <translation>Kontaktfehler</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>No contact matches &quot;%1&quot;. Try part of the name or a few digits of the number.</source>
        <translation>Kein Kontakt passt zu „%1“. Versuchen Sie einen Teil des Namens oder einige Ziffern der Nummer.</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>&amp;Importieren…</translation>
    </message>
    <message>
        <source>Add or update contacts from a CSV file</source>
        <translation>Kontakte aus einer CSV-Datei hinzufügen oder aktualisieren</translation>
    </message>
    <message>
        <source>No contacts yet. A contact appears here when a client sends to or hears from a number, or when contacts are imported (Import…, or through the API).</source>
        <translation>Noch keine Kontakte. Ein Kontakt erscheint hier, wenn ein Client einer Nummer schreibt oder von ihr eine Nachricht erhält, oder wenn Kontakte importiert werden (Importieren… oder über die API).</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationDelegate</name>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>%1 (opted out)</source>
        <translation>%1 (abgemeldet)</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationListModel</name>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Sprachnachricht</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Dokument</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Kontaktkarte</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Gelöschte Nachricht</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Sie: %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1, %2: %3</translation>
    </message>
    <message>
        <source>, %1 unread</source>
        <translation>, %1 ungelesen</translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation> (abgemeldet)</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Your role can read conversations but not send messages.</source>
        <translation>Ihre Rolle darf Unterhaltungen lesen, aber keine Nachrichten senden.</translation>
    </message>
    <message>
        <source>Select a client to see its conversations.</source>
        <translation>Wählen Sie einen Client aus, um seine Unterhaltungen zu sehen.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The file of this message was not downloaded.</source>
        <translation>Die Datei dieser Nachricht wurde nicht heruntergeladen.</translation>
    </message>
    <message>
        <source>The file of this message is no longer stored.</source>
        <translation>Die Datei dieser Nachricht ist nicht mehr gespeichert.</translation>
    </message>
    <message>
        <source>This message has no file.</source>
        <translation>Diese Nachricht hat keine Datei.</translation>
    </message>
    <message>
        <source>No application opens %1.</source>
        <translation>Keine Anwendung öffnet %1.</translation>
    </message>
    <message>
        <source>Save attachment</source>
        <translation>Anhang speichern</translation>
    </message>
    <message>
        <source>Open attachment</source>
        <translation>Anhang öffnen</translation>
    </message>
    <message>
        <source>&amp;Open attachment</source>
        <translation>Anhang ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Save attachment as…</source>
        <translation>Anhang &amp;speichern unter…</translation>
    </message>
    <message>
        <source>The file of this message is still being downloaded.</source>
        <translation>Die Datei dieser Nachricht wird noch heruntergeladen.</translation>
    </message>
    <message>
        <source>Search conversations and messages</source>
        <translation>Unterhaltungen und Nachrichten durchsuchen</translation>
    </message>
    <message>
        <source>Search conversations by name or number, and messages by their text</source>
        <translation>Unterhaltungen nach Name oder Nummer und Nachrichten nach ihrem Text durchsuchen</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <source>Messages that match the search</source>
        <translation>Nachrichten, die zur Suche passen</translation>
    </message>
    <message>
        <source>Send &amp;read receipts</source>
        <translation>&amp;Lesebestätigungen senden</translation>
    </message>
    <message>
        <source>Send read receipts to WhatsApp when a conversation is opened</source>
        <translation>Beim Öffnen einer Unterhaltung Lesebestätigungen an WhatsApp senden</translation>
    </message>
    <message>
        <source>When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks).</source>
        <translation>Wenn eingeschaltet, markiert das Öffnen einer Unterhaltung mit ungelesenen Nachrichten diese auch in WhatsApp als gelesen (der Kontakt sieht blaue Häkchen).</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Name des Kontakts</translation>
    </message>
    <message>
        <source>Name (Enter saves, Esc cancels)</source>
        <translation>Name (Eingabe speichert, Esc bricht ab)</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>&amp;Umbenennen…</translation>
    </message>
    <message>
        <source>Rename contact</source>
        <translation>Kontakt umbenennen</translation>
    </message>
    <message>
        <source>Change the contact&apos;s name</source>
        <translation>Den Namen des Kontakts ändern</translation>
    </message>
    <message>
        <source>Opt-out state</source>
        <translation>Abmeldestatus</translation>
    </message>
    <message>
        <source>This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts).</source>
        <translation>Dieser Kontakt hat sich abgemeldet: Nachrichten an ihn werden abgelehnt, bis er sich wieder anmeldet (oder die Abmeldung unter „Kontakte“ aufgehoben wird).</translation>
    </message>
    <message>
        <source>No message contains “%1”.</source>
        <translation>Keine Nachricht enthält „%1“.</translation>
    </message>
    <message>
        <source>Matching messages: the newest %1</source>
        <translation>Passende Nachrichten: die neuesten %1</translation>
    </message>
    <message>
        <source>Matching messages: %1</source>
        <translation>Passende Nachrichten: %1</translation>
    </message>
    <message>
        <source>Open a conversation first.</source>
        <translation>Öffnen Sie zuerst eine Unterhaltung.</translation>
    </message>
    <message>
        <source>This number has no conversation with the client yet.</source>
        <translation>Mit dieser Nummer gibt es noch keine Unterhaltung auf dem Client.</translation>
    </message>
    <message>
        <source>No conversations yet: write to a number below.</source>
        <translation>Noch keine Unterhaltungen: Schreiben Sie unten an eine Nummer.</translation>
    </message>
    <message>
        <source>Select a conversation, or write to a new number below.</source>
        <translation>Wählen Sie eine Unterhaltung aus, oder schreiben Sie unten an eine neue Nummer.</translation>
    </message>
</context>
<context>
    <name>wadesk::CreateApiKeyDialog</name>
    <message>
        <source>Create API Key</source>
        <translation>API-Schlüssel erstellen</translation>
    </message>
    <message>
        <source>The key acts with your role. It is shown once, after it is created.</source>
        <translation>Der Schlüssel handelt mit Ihrer Rolle. Er wird einmal angezeigt, nachdem er erstellt wurde.</translation>
    </message>
    <message>
        <source>Key name</source>
        <translation>Name des Schlüssels</translation>
    </message>
    <message>
        <source>What uses the key, e.g. CRM sync</source>
        <translation>Was den Schlüssel verwendet, z. B. CRM-Abgleich</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>E&amp;xpires on:</source>
        <translation>&amp;Läuft ab am:</translation>
    </message>
    <message>
        <source>The key expires</source>
        <translation>Der Schlüssel läuft ab</translation>
    </message>
    <message>
        <source>Expiry date and time</source>
        <translation>Ablaufdatum und -uhrzeit</translation>
    </message>
    <message>
        <source>Create API key error</source>
        <translation>Fehler beim Erstellen des API-Schlüssels</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Erstellen</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>API-Schlüssel erstellen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::DashboardView</name>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Client:</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>Letzte 90 Tage</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Read the figures again</source>
        <translation>Die Zahlen neu lesen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Messages today</source>
        <translation>Nachrichten heute</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Zustellrate</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Leserate</translation>
    </message>
    <message>
        <source>Avg. first response</source>
        <translation>Ø erste Antwort</translation>
    </message>
    <message>
        <source>Ready sessions</source>
        <translation>Bereite Sitzungen</translation>
    </message>
    <message>
        <source>Queued messages</source>
        <translation>Nachrichten in der Warteschlange</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Pro Client</translation>
    </message>
    <message>
        <source>Per team member</source>
        <translation>Pro Teammitglied</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Pro Tag</translation>
    </message>
    <message>
        <source>Outbound messages each member wrote and the conversations they answered (messages written on the phone have no author and are in no row)</source>
        <translation>Ausgehende Nachrichten, die jedes Mitglied geschrieben hat, und die Unterhaltungen, die es beantwortet hat (auf dem Telefon geschriebene Nachrichten haben keinen Autor und stehen in keiner Zeile)</translation>
    </message>
    <message>
        <source>View as &amp;JSON…</source>
        <translation>Als &amp;JSON anzeigen…</translation>
    </message>
    <message>
        <source>Save the Dashboard as JSON</source>
        <translation>Das Dashboard als JSON speichern</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Per-client table as &amp;CSV…</source>
        <translation>Tabelle pro Client als &amp;CSV…</translation>
    </message>
    <message>
        <source>Per-member table as CSV…</source>
        <translation>Tabelle pro Mitglied als CSV…</translation>
    </message>
    <message>
        <source>Per-day table as CSV…</source>
        <translation>Tabelle pro Tag als CSV…</translation>
    </message>
    <message>
        <source>Save a table as CSV</source>
        <translation>Eine Tabelle als CSV speichern</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>“%1” as PNG…</source>
        <translation>„%1“ als PNG…</translation>
    </message>
    <message>
        <source>Save a chart as PNG</source>
        <translation>Ein Diagramm als PNG speichern</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>Report as &amp;PDF…</source>
        <translation>Bericht als &amp;PDF…</translation>
    </message>
    <message>
        <source>Save the report as PDF</source>
        <translation>Den Bericht als PDF speichern</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>All clients</source>
        <translation>Alle Clients</translation>
    </message>
    <message>
        <source>Reading the figures…</source>
        <translation>Lese die Zahlen…</translation>
    </message>
    <message>
        <source>Could not read the figures: %1</source>
        <translation>Die Zahlen konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>%1 · %2 · days in %3 · updated %4</source>
        <translation>%1 · %2 · Tage in %3 · aktualisiert %4</translation>
    </message>
    <message>
        <source>%1 in total, in and out</source>
        <translation>%1 insgesamt, ein- und ausgehend</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 von %2 gesendeten</translation>
    </message>
    <message>
        <source>nothing sent in the range</source>
        <translation>im Zeitraum nichts gesendet</translation>
    </message>
    <message>
        <source>median %1 · %2 of %3 answered</source>
        <translation>Median %1 · %2 von %3 beantwortet</translation>
    </message>
    <message>
        <source>no conversation answered in the range</source>
        <translation>im Zeitraum keine Unterhaltung beantwortet</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>local time</source>
        <translation>Ortszeit</translation>
    </message>
    <message>
        <source>The figures could not be read (%1).
The Dashboard tries again with the next message, or use Refresh.</source>
        <translation>Die Zahlen konnten nicht gelesen werden (%1).
Das Dashboard versucht es mit der nächsten Nachricht erneut, oder verwenden Sie „Aktualisieren“.</translation>
    </message>
    <message>
        <source>No WhatsApp clients yet.
Add one with File → Add Client, link its phone, and the daily volume, delivery and read rates, response times and busiest hours of its messages appear here.</source>
        <translation>Noch keine WhatsApp-Clients.
Fügen Sie einen über Datei → Client hinzufügen hinzu und verknüpfen Sie sein Telefon; dann erscheinen hier das tägliche Volumen, die Zustell- und Leseraten, die Antwortzeiten und die Stoßzeiten seiner Nachrichten.</translation>
    </message>
    <message>
        <source>No WhatsApp clients are assigned to you yet.
Once an admin assigns you clients, the daily volume, rates, response times and busiest hours of their messages appear here.</source>
        <translation>Ihnen sind noch keine WhatsApp-Clients zugewiesen.
Sobald ein Admin Ihnen Clients zuweist, erscheinen hier das tägliche Volumen, die Raten, die Antwortzeiten und die Stoßzeiten ihrer Nachrichten.</translation>
    </message>
    <message>
        <source>No messages were sent or received %1 %2.
The daily volume, delivery and read rates, response times and busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.</source>
        <translation>Es wurden %1 %2 keine Nachrichten gesendet oder empfangen.
Das tägliche Volumen, die Zustell- und Leseraten, die Antwortzeiten und die Stoßzeiten erscheinen hier, sobald Nachrichten gesendet oder empfangen werden; wählen Sie einen längeren Zeitraum, um frühere zu sehen.</translation>
    </message>
    <message>
        <source>on</source>
        <translation>am</translation>
    </message>
    <message>
        <source>from</source>
        <translation>vom</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 bis %2</translation>
    </message>
    <message>
        <source>
(Only %1 is shown: choose All clients to see the others.)</source>
        <translation>
(Nur %1 wird angezeigt: Wählen Sie „Alle Clients“, um die anderen zu sehen.)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>no clients to run</source>
        <translation>keine Clients zum Ausführen</translation>
    </message>
    <message>
        <source>WhatsApp sessions ready now</source>
        <translation>WhatsApp-Sitzungen jetzt bereit</translation>
    </message>
    <message>
        <source>accepted, waiting to be sent</source>
        <translation>angenommen, wartet auf den Versand</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
</context>
<context>
    <name>wadesk::DeleteClientDialog</name>
    <message>
        <source>Delete Client</source>
        <translation>Client löschen</translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation>„%1“</translation>
    </message>
    <message>
        <source>&quot;%1&quot; (%2)</source>
        <translation>„%1“ (%2)</translation>
    </message>
    <message>
        <source>Deleting %1 cannot be undone:</source>
        <translation>Das Löschen von %1 kann nicht rückgängig gemacht werden:</translation>
    </message>
    <message>
        <source>• Its WhatsApp session, running now, stops, and this computer&apos;s link to the number is removed.</source>
        <translation>• Seine WhatsApp-Sitzung, die gerade läuft, wird gestoppt, und die Verknüpfung dieses Computers mit der Nummer wird entfernt.</translation>
    </message>
    <message>
        <source>• This computer&apos;s link to the number is removed.</source>
        <translation>• Die Verknüpfung dieses Computers mit der Nummer wird entfernt.</translation>
    </message>
    <message>
        <source>WhatsApp stays on the phone; the number can be linked to a new client later.</source>
        <translation>WhatsApp bleibt auf dem Telefon; die Nummer kann später mit einem neuen Client verknüpft werden.</translation>
    </message>
    <message>
        <source>• Every message of this client is deleted: its whole history and its conversations.</source>
        <translation>• Jede Nachricht dieses Clients wird gelöscht: sein ganzer Verlauf und seine Unterhaltungen.</translation>
    </message>
    <message>
        <source>• Messages queued now and never to be sent: %1.</source>
        <translation>• Jetzt wartende Nachrichten, die nie gesendet werden: %1.</translation>
    </message>
    <message>
        <source>• Nothing is queued now; anything queued until then is never sent.</source>
        <translation>• Jetzt wartet nichts; was bis dahin in die Warteschlange kommt, wird nie gesendet.</translation>
    </message>
    <message>
        <source>• Its rate limits, proxy assignment and team members&apos; assignments to it go too.</source>
        <translation>• Seine Sendelimits, seine Proxy-Zuweisung und die Zuweisungen von Teammitgliedern zu ihm entfallen ebenfalls.</translation>
    </message>
    <message>
        <source>The audit log keeps a record of the deletion.</source>
        <translation>Das Audit-Protokoll bewahrt einen Eintrag über die Löschung auf.</translation>
    </message>
    <message>
        <source>Type the client&apos;s name, %1, to confirm:</source>
        <translation>Geben Sie zur Bestätigung den Namen des Clients ein, %1:</translation>
    </message>
    <message>
        <source>Client name to confirm the deletion</source>
        <translation>Name des Clients zur Bestätigung der Löschung</translation>
    </message>
    <message>
        <source>&amp;Delete Client</source>
        <translation>Client &amp;löschen</translation>
    </message>
    <message>
        <source>Delete the client</source>
        <translation>Den Client löschen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::DeliveryLogModel</name>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>Wird zugestellt</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Wird wiederholt</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Dead letter</source>
        <translation>Unzustellbar</translation>
    </message>
    <message>
        <source>%1, %2, %3, attempts: %4</source>
        <translation>%1, %2, %3, Versuche: %4</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Ihre Rolle darf keine Webhooks verwalten.</translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <source>&amp;Show WaDesk</source>
        <translation>WaDesk &amp;anzeigen</translation>
    </message>
    <message>
        <source>&amp;Pause all clients</source>
        <translation>Alle Clients &amp;pausieren</translation>
    </message>
    <message>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation>Die Sendewarteschlange jedes Clients anhalten, bis sie fortgesetzt wird</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>Desktop-&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <source>Show a notification when a message arrives</source>
        <translation>Bei eingehenden Nachrichten eine Benachrichtigung anzeigen</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>&amp;Quit WaDesk</source>
        <translation>WaDesk &amp;beenden</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk läuft im Infobereich weiter. Zum Beenden „WaDesk beenden“ in seinem Menü wählen.</translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation>Neue Nachricht von %1</translation>
    </message>
    <message numerus="yes">
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n ungelesene Nachricht</numerusform>
            <numerusform>WaDesk: %n ungelesene Nachrichten</numerusform>
        </translation>
    </message>
    <message>
        <source>WaDesk: no unread messages</source>
        <translation>WaDesk: keine ungelesenen Nachrichten</translation>
    </message>
    <message>
        <source>Pause all clients</source>
        <translation>Alle Clients pausieren</translation>
    </message>
    <message>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>Das Senden auf allen Clients Ihrer Organisation anhalten? Wartende Nachrichten bleiben in der Warteschlange, bis der jeweilige Client fortgesetzt wird.</translation>
    </message>
    <message numerus="yes">
        <source>%n client(s) paused.</source>
        <translation>
            <numerusform>%n Client pausiert.</numerusform>
            <numerusform>%n Clients pausiert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wadesk::ErrorText</name>
    <message>
        <source>The name must be 1 to 100 characters.</source>
        <translation>Der Name muss 1 bis 100 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation>Der Name der Organisation muss 1 bis 200 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation>Das ist keine gültige E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters.</source>
        <translation>Das Passwort muss %1 bis %2 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation>Wählen Sie eine Rolle: Administrator, Manager, Agent oder Betrachter.</translation>
    </message>
    <message>
        <source>The message must not be empty.</source>
        <translation>Die Nachricht darf nicht leer sein.</translation>
    </message>
    <message>
        <source>This is not a valid phone number.</source>
        <translation>Das ist keine gültige Telefonnummer.</translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation>Dazu fehlt Ihnen die Berechtigung.</translation>
    </message>
    <message>
        <source>You may not manage members with this role.</source>
        <translation>Sie dürfen Mitglieder mit dieser Rolle nicht verwalten.</translation>
    </message>
    <message>
        <source>It does not exist any more, or you may not see it.</source>
        <translation>Es existiert nicht mehr, oder Sie dürfen es nicht sehen.</translation>
    </message>
    <message>
        <source>Invalid email or password.</source>
        <translation>E-Mail oder Passwort ist falsch.</translation>
    </message>
    <message>
        <source>The account is disabled.</source>
        <translation>Das Konto ist deaktiviert.</translation>
    </message>
    <message>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation>Zu viele fehlgeschlagene Anmeldeversuche; versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>A user with this email already exists.</source>
        <translation>Es gibt bereits einen Benutzer mit dieser E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>The organization needs at least one active admin.</source>
        <translation>Die Organisation braucht mindestens einen aktiven Admin.</translation>
    </message>
    <message>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation>Sie können weder Ihre eigene Rolle ändern noch sich selbst deaktivieren oder entfernen.</translation>
    </message>
    <message>
        <source>A client with this phone number already exists.</source>
        <translation>Es gibt bereits einen Client mit dieser Telefonnummer.</translation>
    </message>
    <message>
        <source>The client is not running.</source>
        <translation>Der Client läuft nicht.</translation>
    </message>
    <message>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation>Der Client ist nicht bereit: Verknüpfen Sie ihn zuerst, indem Sie seinen QR-Code scannen.</translation>
    </message>
    <message>
        <source>The client is paused; resume it to send.</source>
        <translation>Der Client ist pausiert; setzen Sie ihn fort, um zu senden.</translation>
    </message>
    <message>
        <source>The contact opted out of messages.</source>
        <translation>Der Kontakt hat Nachrichten abbestellt.</translation>
    </message>
    <message>
        <source>Rate limit reached for this client.</source>
        <translation>Das Sendelimit dieses Clients ist erreicht.</translation>
    </message>
    <message>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation>WhatsApp-Sitzungen laufen nicht in diesem Prozess.</translation>
    </message>
    <message>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation>In WaDesk ist ein Fehler aufgetreten; Einzelheiten stehen im Protokoll.</translation>
    </message>
    <message>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation>Dieser Proxy ist bereits im Pool (gleicher Host, Port und Benutzername).</translation>
    </message>
    <message numerus="yes">
        <source>%n clients use this proxy: assign them another proxy, or none, before deleting it.</source>
        <translation>
            <numerusform>%n Client nutzt diesen Proxy: Weisen Sie ihm vor dem Löschen einen anderen Proxy oder keinen zu.</numerusform>
            <numerusform>%n Clients nutzen diesen Proxy: Weisen Sie ihnen vor dem Löschen einen anderen Proxy oder keinen zu.</numerusform>
        </translation>
    </message>
    <message>
        <source>This proxy already serves its maximum of clients: choose another one or raise its maximum.</source>
        <translation>Dieser Proxy bedient bereits seine Höchstzahl an Clients: Wählen Sie einen anderen oder erhöhen Sie seine Höchstzahl.</translation>
    </message>
    <message>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation>Kein Proxy ist frei: Jeder ist ausgefallen oder bedient seine Höchstzahl an Clients.</translation>
    </message>
    <message>
        <source>This client does not allow moving it to another proxy.</source>
        <translation>Dieser Client erlaubt keinen Wechsel auf einen anderen Proxy.</translation>
    </message>
    <message>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation>Wählen Sie den Proxy-Typ: HTTP oder SOCKS5.</translation>
    </message>
    <message>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation>Der Host muss ein Hostname oder eine IP-Adresse sein, ohne Leerzeichen.</translation>
    </message>
    <message>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>Der Port muss eine Zahl von 1 bis 65535 sein.</translation>
    </message>
    <message>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation>Der Benutzername darf höchstens 255 Bytes lang sein, ohne Steuerzeichen (und ohne „:“ bei einem HTTP-Proxy).</translation>
    </message>
    <message>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation>Das Proxy-Passwort darf höchstens 255 Bytes ohne Steuerzeichen lang sein und braucht einen Benutzernamen.</translation>
    </message>
    <message>
        <source>The label must be 1 to 100 characters.</source>
        <translation>Die Bezeichnung muss 1 bis 100 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation>Das Land muss ein zweibuchstabiger Code wie DE oder US sein.</translation>
    </message>
    <message numerus="yes">
        <source>The most clients cannot go below the %n clients using the proxy.</source>
        <translation>
            <numerusform>Die Höchstzahl an Clients darf nicht unter dem %n Client liegen, der den Proxy nutzt.</numerusform>
            <numerusform>Die Höchstzahl an Clients darf nicht unter den %n Clients liegen, die den Proxy nutzen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The most clients must be a number from 1 to 1000.</source>
        <translation>Die Höchstzahl an Clients muss eine Zahl von 1 bis 1000 sein.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>Die Datei ist leer.</translation>
    </message>
    <message>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation>Die Datei ist beschädigt, unvollständig oder nicht das, was ihr Typ angibt.</translation>
    </message>
    <message>
        <source>The file is larger than WaDesk accepts.</source>
        <translation>Die Datei ist größer, als WaDesk annimmt.</translation>
    </message>
    <message>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation>WhatsApp nimmt diese Art von Datei nicht an. Bilder (JPEG, PNG, WebP), Videos (MP4, 3GP), Audio, PDF, Office-Dokumente und Textdateien können gesendet werden.</translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation>Der Inhalt der Datei passt nicht zu ihrem angegebenen Typ.</translation>
    </message>
    <message>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation>Der Medienspeicher der Organisation ist voll: Entfernen Sie Dateien oder bitten Sie einen Admin, das Kontingent zu erhöhen.</translation>
    </message>
    <message>
        <source>A message waiting to be sent still needs this file.</source>
        <translation>Eine Nachricht, die auf den Versand wartet, braucht diese Datei noch.</translation>
    </message>
    <message>
        <source>Media storage is not available.</source>
        <translation>Der Medienspeicher ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.</source>
        <translation>Die URL muss eine vollständige http://- oder https://-Adresse ohne Benutzernamen oder Passwort sein, höchstens 2048 Zeichen.</translation>
    </message>
    <message>
        <source>Choose 1 to 50 events to send.</source>
        <translation>Wählen Sie 1 bis 50 zu sendende Ereignisse.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>Das Ablaufdatum muss in der Zukunft liegen.</translation>
    </message>
    <message>
        <source>This client cannot be linked now: it is not showing its QR code.</source>
        <translation>Dieser Client kann jetzt nicht verknüpft werden: Er zeigt seinen QR-Code nicht an.</translation>
    </message>
    <message>
        <source>WhatsApp gave no code for this number. Check that the number uses WhatsApp.</source>
        <translation>WhatsApp hat für diese Nummer keinen Code geliefert. Prüfen Sie, ob die Nummer WhatsApp verwendet.</translation>
    </message>
    <message>
        <source>WhatsApp Web did not answer. Try again.</source>
        <translation>WhatsApp Web hat nicht geantwortet. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>No instance with this id shares the database (any more).</source>
        <translation>Keine Instanz mit dieser Kennung teilt (noch) die Datenbank.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Andere Systeme senden und empfangen Nachrichten über die REST-API von WaDesk. Standardmäßig antwortet sie nur auf diesem Computer.</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API-Adresse</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>API-Port</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>Mir ist bewusst, dass diese Adresse die API im Netzwerk &amp;erreichbar macht</translation>
    </message>
    <message>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Bestätigen, dass die API im Netzwerk erreichbar ist</translation>
    </message>
    <message>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>Diese Adresse ist von anderen Computern erreichbar. Betreiben Sie WaDesk hinter TLS (einem Reverse-Proxy) und halten Sie API-Schlüssel geheim.</translation>
    </message>
    <message>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Geben Sie eine IP-Adresse ein, etwa 127.0.0.1 (nur dieser Computer) oder 0.0.0.0 (alle Netzwerke).</translation>
    </message>
    <message>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 ist keine Loopback-Adresse: Bestätigen Sie, dass die API im Netzwerk erreichbar sein darf, oder verwenden Sie 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Wo WaDesk seine Daten speichert. Die eingebettete Datenbank genügt für einen Computer; mit PostgreSQL können mehrere WaDesk-Instanzen dieselben Daten nutzen.</translation>
    </message>
    <message>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>&amp;Eingebettete Datenbank (SQLite, empfohlen)</translation>
    </message>
    <message>
        <source>Embedded SQLite database</source>
        <translation>Eingebettete SQLite-Datenbank</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>Datei: %1</translation>
    </message>
    <message>
        <source>&amp;PostgreSQL server</source>
        <translation>&amp;PostgreSQL-Server</translation>
    </message>
    <message>
        <source>PostgreSQL server</source>
        <translation>PostgreSQL-Server</translation>
    </message>
    <message>
        <source>PostgreSQL URL</source>
        <translation>PostgreSQL-URL</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>Test the PostgreSQL connection</source>
        <translation>Die PostgreSQL-Verbindung testen</translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation>Ergebnis des Verbindungstests</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>Verbunden.</translation>
    </message>
    <message>
        <source>The connection failed: %1</source>
        <translation>Die Verbindung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Geben Sie eine URL der Form postgres://benutzer:passwort@host:5432/datenbank ein.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <source>Your organization</source>
        <translation>Ihre Organisation</translation>
    </message>
    <message>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk hält Clients, Nachrichten und Team jeder Organisation getrennt. Legen Sie Ihre Organisation und ihren ersten Administrator an: Sie selbst.</translation>
    </message>
    <message>
        <source>&amp;Organization:</source>
        <translation>&amp;Organisation:</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Name der Organisation</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Ihr &amp;Name:</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Confirm password:</source>
        <translation>Passwort &amp;bestätigen:</translation>
    </message>
    <message>
        <source>Confirm password</source>
        <translation>Passwort bestätigen</translation>
    </message>
    <message>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Geben Sie den Namen der Organisation ein (höchstens 200 Zeichen).</translation>
    </message>
    <message>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Geben Sie Ihren Namen ein (höchstens 100 Zeichen).</translation>
    </message>
    <message>
        <source>Enter a valid email address.</source>
        <translation>Geben Sie eine gültige E-Mail-Adresse ein.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>Das Passwort muss %1 bis %2 Zeichen lang sein.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <source>Secrets</source>
        <translation>Geheimnisse</translation>
    </message>
    <message>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk verschlüsselt seine Geheimnisse mit einem Hauptschlüssel. Wählen Sie, wo er aufbewahrt wird, und sichern Sie ihn zusammen mit der Datenbank.</translation>
    </message>
    <message>
        <source>The system &amp;keychain</source>
        <translation>Der &amp;Schlüsselbund des Systems</translation>
    </message>
    <message>
        <source>Keep the master key in the system keychain</source>
        <translation>Den Hauptschlüssel im Schlüsselbund des Systems aufbewahren</translation>
    </message>
    <message>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>Eine nur für Sie lesbare Schlüssel&amp;datei (%1)</translation>
    </message>
    <message>
        <source>Keep the master key in a key file</source>
        <translation>Den Hauptschlüssel in einer Schlüsseldatei aufbewahren</translation>
    </message>
    <message>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>Die &amp;Umgebungsvariable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Den Hauptschlüssel aus WADESK_MASTER_KEY nehmen</translation>
    </message>
    <message>
        <source>Keychain check result</source>
        <translation>Ergebnis der Schlüsselbund-Prüfung</translation>
    </message>
    <message>
        <source>Check the keychain &amp;again</source>
        <translation>Schlüsselbund &amp;erneut prüfen</translation>
    </message>
    <message>
        <source>Check the system keychain again</source>
        <translation>Den Schlüsselbund des Systems erneut prüfen</translation>
    </message>
    <message>
        <source>Checking the system keychain…</source>
        <translation>Prüfe den Schlüsselbund des Systems…</translation>
    </message>
    <message>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>Der Schlüsselbund des Systems funktioniert hier: Er ist der empfohlene Ort.</translation>
    </message>
    <message>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>Ein Schlüsselbund ist vorhanden, verweigert aber den Zugriff (%1). Entsperren Sie ihn und prüfen Sie erneut, oder verwenden Sie eine Schlüsseldatei.</translation>
    </message>
    <message>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>Hier ist kein Schlüsselbund verfügbar (%1): Stattdessen wird die Schlüsseldatei verwendet. Bewahren Sie eine Sicherung davon auf.</translation>
    </message>
    <message>
        <source>no Secret Service or KWallet</source>
        <translation>kein Secret Service und kein KWallet</translation>
    </message>
    <message>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY ist in der Umgebung gesetzt: Solange sie gesetzt ist, hat sie Vorrang.</translation>
    </message>
    <message>
        <source>Checking the system keychain… If the system asks to create or unlock a keyring, answer it.</source>
        <translation>Prüfe den Schlüsselbund des Systems… Wenn das System darum bittet, einen Schlüsselbund anzulegen oder zu entsperren, antworten Sie darauf.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSetup</name>
    <message>
        <source>The host name %1 cannot be found. Check its spelling, or use the server&apos;s IP address.</source>
        <translation>Der Hostname %1 wurde nicht gefunden. Prüfen Sie die Schreibweise, oder verwenden Sie die IP-Adresse des Servers.</translation>
    </message>
    <message>
        <source>Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network address (listen_addresses)?</source>
        <translation>Unter %1 antwortet niemand. Läuft PostgreSQL dort und lauscht es auf diesem Port und dieser Netzwerkadresse (listen_addresses)?</translation>
    </message>
    <message>
        <source>%1 did not answer in time. Check the address and port, and that no firewall is in the way.</source>
        <translation>%1 hat nicht rechtzeitig geantwortet. Prüfen Sie Adresse und Port und dass keine Firewall im Weg ist.</translation>
    </message>
    <message>
        <source>The server refused the password for the user %1.</source>
        <translation>Der Server hat das Passwort für den Benutzer %1 abgelehnt.</translation>
    </message>
    <message>
        <source>The server has no user %1. Create it (createuser) or use another.</source>
        <translation>Der Server hat keinen Benutzer %1. Legen Sie ihn an (createuser), oder verwenden Sie einen anderen.</translation>
    </message>
    <message>
        <source>The server has no database %1. Create it first (createdb -O %2 %1).</source>
        <translation>Der Server hat keine Datenbank %1. Legen Sie sie zuerst an (createdb -O %2 %1).</translation>
    </message>
    <message>
        <source>The server does not accept connections from this computer for the user %1: add a line for it to the server&apos;s pg_hba.conf.</source>
        <translation>Der Server nimmt für den Benutzer %1 keine Verbindungen von diesem Computer an: Fügen Sie dafür eine Zeile in die pg_hba.conf des Servers ein.</translation>
    </message>
    <message>
        <source>The connection to %1 failed.</source>
        <translation>Die Verbindung zu %1 ist fehlgeschlagen.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Noch wurde nichts geschrieben. Mit „Fertigstellen“ werden die Organisation angelegt und diese Einstellungen gespeichert.</translation>
    </message>
    <message>
        <source>Summary of the choices</source>
        <translation>Zusammenfassung der Auswahl</translation>
    </message>
    <message>
        <source>PostgreSQL: %1</source>
        <translation>PostgreSQL: %1</translation>
    </message>
    <message>
        <source>SQLite: %1</source>
        <translation>SQLite: %1</translation>
    </message>
    <message>
        <source>the system keychain</source>
        <translation>der Schlüsselbund des Systems</translation>
    </message>
    <message>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>die Umgebungsvariable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation>Schlüsseldatei %1</translation>
    </message>
    <message>
        <source>(exposed to the network)</source>
        <translation>(im Netzwerk erreichbar)</translation>
    </message>
    <message>
        <source>Organization</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Master key</source>
        <translation>Hauptschlüssel</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation>Einstellungsdatei</translation>
    </message>
    <message>
        <source>Creating the organization and saving the settings…</source>
        <translation>Lege die Organisation an und speichere die Einstellungen…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Welcome to %1</source>
        <translation>Willkommen bei %1</translation>
    </message>
    <message>
        <source>WaDesk could not be set up: %1</source>
        <translation>WaDesk konnte nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>WaDesk is ready</source>
        <translation>WaDesk ist bereit</translation>
    </message>
    <message>
        <source>The organization %1 and its administrator %2 were created. Sign in next.

Below is the organization&apos;s first API key. Copy it now if an integration needs it; you can create others later.</source>
        <translation>Die Organisation %1 und ihr Administrator %2 wurden angelegt. Melden Sie sich als Nächstes an.

Unten steht der erste API-Schlüssel der Organisation. Kopieren Sie ihn jetzt, wenn eine Integration ihn braucht; weitere können Sie später erstellen.</translation>
    </message>
</context>
<context>
    <name>wadesk::HeatmapWidget</name>
    <message>
        <source>%1 %2:00–%3:00: %4 sent, %5 received</source>
        <translation>%1 %2:00–%3:00: %4 gesendet, %5 empfangen</translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceActions</name>
    <message>
        <source>&amp;Instances…</source>
        <translation>&amp;Instanzen…</translation>
    </message>
    <message>
        <source>The instances sharing this database, their sessions; drain one</source>
        <translation>Die Instanzen, die sich diese Datenbank teilen, und ihre Sitzungen; eine Instanz leeren</translation>
    </message>
    <message>
        <source>Run on &amp;Instance…</source>
        <translation>Auf &amp;Instanz ausführen…</translation>
    </message>
    <message>
        <source>Choose the instance the selected client runs on</source>
        <translation>Die Instanz wählen, auf der der ausgewählte Client läuft</translation>
    </message>
    <message>
        <source>Run on instance</source>
        <translation>Auf Instanz ausführen</translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceListModel</name>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>vor %1 T</translation>
    </message>
    <message>
        <source>%1 (this desktop)</source>
        <translation>%1 (dieser Desktop)</translation>
    </message>
    <message>
        <source>Alive</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>Wird geleert</translation>
    </message>
    <message>
        <source>%1 on %2, version %3, last heartbeat %4, %5%6, sessions: %7</source>
        <translation>%1 auf %2, Version %3, letztes Lebenszeichen %4, %5%6, Sitzungen: %7</translation>
    </message>
    <message>
        <source>, draining</source>
        <translation>, wird geleert</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instanz</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Last heartbeat</source>
        <translation>Letztes Lebenszeichen</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Sign in to see the instances.</source>
        <translation>Melden Sie sich an, um die Instanzen zu sehen.</translation>
    </message>
</context>
<context>
    <name>wadesk::InstancesDialog</name>
    <message>
        <source>Instances</source>
        <translation>Instanzen</translation>
    </message>
    <message>
        <source>The WaDesk instances sharing this database. Each session runs on one of them; a draining instance hands its sessions over to the others and takes no new ones. Sessions are counted for your organization&apos;s clients.</source>
        <translation>Die WaDesk-Instanzen, die sich diese Datenbank teilen. Jede Sitzung läuft auf einer von ihnen; eine Instanz, die geleert wird, übergibt ihre Sitzungen an die anderen und übernimmt keine neuen. Gezählt werden die Sitzungen der Clients Ihrer Organisation.</translation>
    </message>
    <message>
        <source>&amp;Drain…</source>
        <translation>&amp;Leeren…</translation>
    </message>
    <message>
        <source>Drain instance</source>
        <translation>Instanz leeren</translation>
    </message>
    <message>
        <source>Move the selected instance&apos;s sessions to the other instances, one by one</source>
        <translation>Die Sitzungen der ausgewählten Instanz nacheinander auf die anderen Instanzen verlegen</translation>
    </message>
    <message>
        <source>&amp;Undrain</source>
        <translation>Leeren &amp;beenden</translation>
    </message>
    <message>
        <source>Undrain instance</source>
        <translation>Leeren der Instanz beenden</translation>
    </message>
    <message>
        <source>Let the selected instance take sessions again</source>
        <translation>Die ausgewählte Instanz wieder Sitzungen übernehmen lassen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Refresh instances</source>
        <translation>Instanzen aktualisieren</translation>
    </message>
    <message>
        <source>Instances error</source>
        <translation>Fehler bei den Instanzen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>No instance has registered in this database yet.</source>
        <translation>In dieser Datenbank hat sich noch keine Instanz angemeldet.</translation>
    </message>
    <message>
        <source>Drain the instance &quot;%1&quot;? Its sessions move to the other instances one by one, and it takes no new ones until you undrain it.</source>
        <translation>Die Instanz „%1“ leeren? Ihre Sitzungen wechseln nacheinander zu den anderen Instanzen, und sie übernimmt keine neuen, bis Sie das Leeren beenden.</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>Leeren</translation>
    </message>
</context>
<context>
    <name>wadesk::LinkPanel</name>
    <message>
        <source>Link this client</source>
        <translation>Diesen Client verknüpfen</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.</source>
        <translation>Öffnen Sie auf dem Telefon WhatsApp → Einstellungen → Verknüpfte Geräte → Gerät hinzufügen, und scannen Sie diesen Code.</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;Neuer Code</translation>
    </message>
    <message>
        <source>Show a new QR code</source>
        <translation>Einen neuen QR-Code anzeigen</translation>
    </message>
    <message>
        <source>Link with &amp;phone number instead…</source>
        <translation>Stattdessen mit &amp;Telefonnummer verknüpfen…</translation>
    </message>
    <message>
        <source>Link with phone number instead</source>
        <translation>Stattdessen mit Telefonnummer verknüpfen</translation>
    </message>
    <message>
        <source>Asking WhatsApp for a new code…</source>
        <translation>Frage WhatsApp nach einem neuen Code…</translation>
    </message>
    <message>
        <source>Waiting for the code…</source>
        <translation>Warte auf den Code…</translation>
    </message>
    <message>
        <source>No QR code yet</source>
        <translation>Noch kein QR-Code</translation>
    </message>
    <message>
        <source>QR code to link %1</source>
        <translation>QR-Code zum Verknüpfen von %1</translation>
    </message>
    <message>
        <source>The code expired. Click &quot;New code&quot; for another one.</source>
        <translation>Der Code ist abgelaufen. Klicken Sie auf „Neuer Code“ für einen weiteren.</translation>
    </message>
    <message>
        <source>WhatsApp has not given a code yet.</source>
        <translation>WhatsApp hat noch keinen Code geliefert.</translation>
    </message>
    <message>
        <source>This code changes in %1:%2.</source>
        <translation>Dieser Code ändert sich in %1:%2.</translation>
    </message>
    <message>
        <source>This code is about to change.</source>
        <translation>Dieser Code ändert sich gleich.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <source>WhatsApp clients</source>
        <translation>WhatsApp-Clients</translation>
    </message>
    <message>
        <source>Selected client</source>
        <translation>Ausgewählter Client</translation>
    </message>
    <message>
        <source>&amp;WhatsApp</source>
        <translation>&amp;WhatsApp</translation>
    </message>
    <message>
        <source>C&amp;onversations</source>
        <translation>&amp;Unterhaltungen</translation>
    </message>
    <message>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation>Die laufende WhatsApp-Web-Seite des Clients (Strg+1)</translation>
    </message>
    <message>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation>Kontakte, Nachrichten und Senden (Strg+2)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Find Contact</source>
        <translation>Kontakt &amp;suchen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;WhatsApp Page</source>
        <translation>&amp;WhatsApp-Seite</translation>
    </message>
    <message>
        <source>&amp;Conversations</source>
        <translation>&amp;Unterhaltungen</translation>
    </message>
    <message>
        <source>Client &amp;List</source>
        <translation>Client&amp;liste</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>&amp;Client</source>
        <translation>&amp;Client</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About WaDesk</source>
        <translation>&amp;Über WaDesk</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>&amp;Team…</source>
        <translation>&amp;Team…</translation>
    </message>
    <message>
        <source>Add team members, change their roles and assign clients</source>
        <translation>Teammitglieder hinzufügen, ihre Rollen ändern und Clients zuweisen</translation>
    </message>
    <message>
        <source>Secrets: %1</source>
        <translation>Geheimnisse: %1</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>checking</source>
        <translation>wird geprüft</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>degraded (HTTP %1)</source>
        <translation>eingeschränkt (HTTP %1)</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>antwortet nicht</translation>
    </message>
    <message>
        <source>API: off</source>
        <translation>API: aus</translation>
    </message>
    <message>
        <source>API: %1 (%2)</source>
        <translation>API: %1 (%2)</translation>
    </message>
    <message>
        <source>Ready: %1 of %2</source>
        <translation>Bereit: %1 von %2</translation>
    </message>
    <message>
        <source>Show &amp;WhatsApp Page</source>
        <translation>&amp;WhatsApp-Seite anzeigen</translation>
    </message>
    <message>
        <source>Show &amp;Conversations</source>
        <translation>U&amp;nterhaltungen anzeigen</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Betreibt die WhatsApp-Sitzungen eines Teams, mit REST-API und signierten Webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (gebaut mit %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(not loaded)</source>
        <translation>(nicht geladen)</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Datenbank: %1</translation>
    </message>
    <message>
        <source>About WaDesk</source>
        <translation>Über WaDesk</translation>
    </message>
    <message>
        <source>&amp;Proxies</source>
        <translation>&amp;Proxys</translation>
    </message>
    <message>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation>Der Proxy-Pool: die eigene Adresse jedes Clients, ihr Zustand und welcher Client welchen nutzt</translation>
    </message>
    <message>
        <source>Proxies (Ctrl+3)</source>
        <translation>Proxys (Strg+3)</translation>
    </message>
    <message>
        <source>Assign Pro&amp;xy…</source>
        <translation>Pro&amp;xy zuweisen…</translation>
    </message>
    <message>
        <source>Choose the proxy the selected client uses</source>
        <translation>Den Proxy des ausgewählten Clients wählen</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>&amp;Dashboard</translation>
    </message>
    <message>
        <source>Messages, delivery and read rates, response times and busiest hours, with exports</source>
        <translation>Nachrichten, Zustell- und Leseraten, Antwortzeiten und Stoßzeiten, mit Exporten</translation>
    </message>
    <message>
        <source>Dashboard (Ctrl+4)</source>
        <translation>Dashboard (Strg+4)</translation>
    </message>
    <message>
        <source>Ready: %1 of %2 (%3 paused)</source>
        <translation>Bereit: %1 von %2 (%3 pausiert)</translation>
    </message>
    <message>
        <source>Clients whose WhatsApp session is linked and running, of the clients you see (paused ones included: their queue waits)</source>
        <translation>Clients, deren WhatsApp-Sitzung verknüpft ist und läuft, von den Clients, die Sie sehen (pausierte eingeschlossen: ihre Warteschlange wartet)</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message>
        <source>&amp;Webhooks…</source>
        <translation>&amp;Webhooks…</translation>
    </message>
    <message>
        <source>The endpoints that receive events, their deliveries and dead letters</source>
        <translation>Die Endpunkte, die Ereignisse empfangen, ihre Zustellungen und unzustellbaren Nachrichten</translation>
    </message>
    <message>
        <source>API &amp;Keys…</source>
        <translation>API-&amp;Schlüssel…</translation>
    </message>
    <message>
        <source>Create and revoke keys for the REST API</source>
        <translation>Schlüssel für die REST-API erstellen und widerrufen</translation>
    </message>
    <message>
        <source>A&amp;udit Log…</source>
        <translation>A&amp;udit-Protokoll…</translation>
    </message>
    <message>
        <source>Who did what, when; verify the log&apos;s hash chain; export it</source>
        <translation>Wer hat was wann getan; die Hash-Kette des Protokolls prüfen; es exportieren</translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation>&amp;Kontakte…</translation>
    </message>
    <message>
        <source>Every contact with its tags and opt-out; search and edit</source>
        <translation>Jeder Kontakt mit seinen Tags und seiner Abmeldung; suchen und bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Organization, client limits and this installation&apos;s settings</source>
        <translation>Organisation, Client-Limits und die Einstellungen dieser Installation</translation>
    </message>
    <message>
        <source>My Acc&amp;ount…</source>
        <translation>Mein &amp;Konto…</translation>
    </message>
    <message>
        <source>Change your password; delete a client</source>
        <translation>Ihr Passwort ändern; einen Client löschen</translation>
    </message>
    <message>
        <source>Ca&amp;mpaigns…</source>
        <translation>Ka&amp;mpagnen…</translation>
    </message>
    <message>
        <source>Bulk sending: campaigns with their progress; create, start, pause, resume, cancel</source>
        <translation>Massenversand: Kampagnen mit ihrem Fortschritt; erstellen, starten, pausieren, fortsetzen, abbrechen</translation>
    </message>
    <message>
        <source>Templates and &amp;Replies…</source>
        <translation>&amp;Vorlagen und Antworten…</translation>
    </message>
    <message>
        <source>Message templates, quick replies and auto-reply rules</source>
        <translation>Nachrichtenvorlagen, Schnellantworten und Regeln für automatische Antworten</translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <source>Media storage: %1</source>
        <translation>Medienspeicher: %1</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation>Medienspeicher: %1 von %2 (%3 %)</translation>
    </message>
    <message>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation>Für Ihre Organisation gespeicherte Dateien (jede Datei einmal gezählt), von ihrem Kontingent</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation>Medienspeicher: %1 von %2 (unter %3 %)</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <source>%1 — not downloaded</source>
        <translation>%1 — nicht heruntergeladen</translation>
    </message>
    <message>
        <source>%1 — the file is no longer stored</source>
        <translation>%1 — die Datei ist nicht mehr gespeichert</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 — downloading…</source>
        <translation>%1 — wird heruntergeladen…</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageSearchModel</name>
    <message>
        <source>%1 · %2
%3</source>
        <translation>%1 · %2
%3</translation>
    </message>
    <message>
        <source>Sent to %1 at %2: %3</source>
        <translation>An %1 gesendet, %2: %3</translation>
    </message>
    <message>
        <source>From %1 at %2: %3</source>
        <translation>Von %1, %2: %3</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Sent by you at %1, %2: %3</source>
        <translation>Von Ihnen gesendet am %1, %2: %3</translation>
    </message>
    <message>
        <source>Received at %1: %2</source>
        <translation>Empfangen am %1: %2</translation>
    </message>
    <message>
        <source> (failed: %1)</source>
        <translation> (fehlgeschlagen: %1)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Sprachnachricht</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Dokument</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Kontaktkarte</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <source> (the file was not downloaded)</source>
        <translation> (die Datei wurde nicht heruntergeladen)</translation>
    </message>
    <message>
        <source> (the file is no longer stored)</source>
        <translation> (die Datei ist nicht mehr gespeichert)</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Gelöschte Nachricht</translation>
    </message>
    <message>
        <source> (the file is being downloaded)</source>
        <translation> (die Datei wird heruntergeladen)</translation>
    </message>
    <message>
        <source> (the file was not downloaded: %1)</source>
        <translation> (die Datei wurde nicht heruntergeladen: %1)</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>dddd, d MMMM</source>
        <translation>dddd, d. MMMM</translation>
    </message>
    <message>
        <source>d MMMM yyyy</source>
        <translation>d. MMMM yyyy</translation>
    </message>
</context>
<context>
    <name>wadesk::OneTimeSecretDialog</name>
    <message>
        <source>The key, shown this once</source>
        <translation>Der Schlüssel, nur dieses eine Mal angezeigt</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copy the key to the clipboard</source>
        <translation>Den Schlüssel in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>It cannot be shown again once this window is closed.</source>
        <translation>Er kann nicht noch einmal angezeigt werden, sobald dieses Fenster geschlossen ist.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
</context>
<context>
    <name>wadesk::PairingCodeDialog</name>
    <message>
        <source>Link %1 with a phone number</source>
        <translation>%1 mit einer Telefonnummer verknüpfen</translation>
    </message>
    <message>
        <source>Type the number of the phone to link, with its country code. WhatsApp gives a code to type on that phone instead of scanning the QR code.</source>
        <translation>Geben Sie die Nummer des zu verknüpfenden Telefons mit Ländervorwahl ein. WhatsApp liefert einen Code, den Sie auf diesem Telefon eingeben, statt den QR-Code zu scannen.</translation>
    </message>
    <message>
        <source>+14155550123</source>
        <translation>+4915123456789</translation>
    </message>
    <message>
        <source>Phone number to link</source>
        <translation>Zu verknüpfende Telefonnummer</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>&amp;Telefonnummer:</translation>
    </message>
    <message>
        <source>&amp;Get code</source>
        <translation>Code &amp;anfordern</translation>
    </message>
    <message>
        <source>Pairing code error</source>
        <translation>Fehler beim Kopplungscode</translation>
    </message>
    <message>
        <source>&amp;Copy code</source>
        <translation>Code &amp;kopieren</translation>
    </message>
    <message>
        <source>On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type this code. WhatsApp may also show a notification to open.</source>
        <translation>Öffnen Sie auf diesem Telefon WhatsApp → Einstellungen → Verknüpfte Geräte → Gerät hinzufügen → Stattdessen mit Telefonnummer verknüpfen, und geben Sie diesen Code ein. WhatsApp kann auch eine Benachrichtigung zum Öffnen anzeigen.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <source>Asking WhatsApp…</source>
        <translation>Frage WhatsApp…</translation>
    </message>
    <message>
        <source>&amp;Get a new code</source>
        <translation>&amp;Neuen Code anfordern</translation>
    </message>
    <message>
        <source>Pairing code %1</source>
        <translation>Kopplungscode %1</translation>
    </message>
</context>
<context>
    <name>wadesk::PinInstanceDialog</name>
    <message>
        <source>Run on instance</source>
        <translation>Auf Instanz ausführen</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instanz</translation>
    </message>
    <message>
        <source>Any instance (not pinned)</source>
        <translation>Beliebige Instanz (nicht festgelegt)</translation>
    </message>
    <message>
        <source>this desktop</source>
        <translation>dieser Desktop</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>wird geleert</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (unknown)</source>
        <translation>%1 (unbekannt)</translation>
    </message>
    <message>
        <source>Client:</source>
        <translation>Client:</translation>
    </message>
    <message>
        <source>&amp;Instance:</source>
        <translation>&amp;Instanz:</translation>
    </message>
    <message>
        <source>A pinned client runs on its instance while that one is alive. A client running elsewhere is handed over: it stops there and starts on its instance.</source>
        <translation>Ein festgelegter Client läuft auf seiner Instanz, solange diese aktiv ist. Ein Client, der anderswo läuft, wird übergeben: Er stoppt dort und startet auf seiner Instanz.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Run on this instance</source>
        <translation>Auf dieser Instanz ausführen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxys sind nicht verfügbar: WaDesk läuft ohne seinen Schlüsselspeicher.</translation>
    </message>
    <message>
        <source>Proxies</source>
        <translation>Proxys</translation>
    </message>
    <message>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation>Jeder Client kann WhatsApp über einen Proxy dieses Pools von seiner eigenen Adresse aus erreichen. Ein Client behält seinen Proxy; fällt der Proxy aus, wartet der Client, statt sich direkt zu verbinden.</translation>
    </message>
    <message>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation>Noch keine Proxys. Fügen Sie einen hinzu, damit jede Nummer ihre eigene Adresse bekommt.</translation>
    </message>
    <message>
        <source>&amp;Add Proxy…</source>
        <translation>Proxy &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add proxy</source>
        <translation>Proxy hinzufügen</translation>
    </message>
    <message>
        <source>Add a proxy to the pool</source>
        <translation>Einen Proxy zum Pool hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Proxy bearbeiten</translation>
    </message>
    <message>
        <source>Change the selected proxy</source>
        <translation>Den ausgewählten Proxy ändern</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Delete proxy</source>
        <translation>Proxy löschen</translation>
    </message>
    <message>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation>Den ausgewählten Proxy aus dem Pool entfernen (nur wenn ihn kein Client nutzt)</translation>
    </message>
    <message>
        <source>A&amp;ssign to Client…</source>
        <translation>Einem Client &amp;zuweisen…</translation>
    </message>
    <message>
        <source>Assign proxy to a client</source>
        <translation>Proxy einem Client zuweisen</translation>
    </message>
    <message>
        <source>Choose the proxy a client uses</source>
        <translation>Den Proxy eines Clients wählen</translation>
    </message>
    <message>
        <source>&amp;Test Now</source>
        <translation>Jetzt &amp;testen</translation>
    </message>
    <message>
        <source>Test proxy now</source>
        <translation>Proxy jetzt testen</translation>
    </message>
    <message>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation>Eine Prüfung auf Anforderung gibt es in dieser Version nicht; der angezeigte Zustand stammt aus den regelmäßigen Prüfungen.</translation>
    </message>
    <message>
        <source>Proxies error</source>
        <translation>Proxy-Fehler</translation>
    </message>
    <message>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation>Admins fügen Proxys hinzu, ändern und löschen sie; Sie können sie Clients zuweisen.</translation>
    </message>
    <message>
        <source>Added the proxy %1.</source>
        <translation>Proxy %1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Saved the proxy %1.</source>
        <translation>Proxy %1 gespeichert.</translation>
    </message>
    <message>
        <source>Delete the proxy %1 (%2)?</source>
        <translation>Den Proxy %1 (%2) löschen?</translation>
    </message>
    <message numerus="yes">
        <source>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</source>
        <translation>
            <numerusform>Er ist %n Client zugewiesen: Ein genutzter Proxy kann nicht gelöscht werden. Weisen Sie diesem Client zuerst einen anderen Proxy (oder keinen) zu.</numerusform>
            <numerusform>Er ist %n Clients zugewiesen: Ein genutzter Proxy kann nicht gelöscht werden. Weisen Sie diesen Clients zuerst einen anderen Proxy (oder keinen) zu.</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleted the proxy %1.</source>
        <translation>Proxy %1 gelöscht.</translation>
    </message>
    <message>
        <source>The client now uses the proxy %1.</source>
        <translation>Der Client nutzt jetzt den Proxy %1.</translation>
    </message>
    <message>
        <source>The client now connects without a proxy.</source>
        <translation>Der Client verbindet sich jetzt ohne Proxy.</translation>
    </message>
    <message>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation>Den gewählten Proxy jetzt prüfen: durch ihn verbinden und die Zeit messen</translation>
    </message>
    <message>
        <source>%1 is reachable (%2 ms).</source>
        <translation>%1 ist erreichbar (%2 ms).</translation>
    </message>
    <message>
        <source>%1 is unreachable: %2</source>
        <translation>%1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft …</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <source>Add proxy</source>
        <translation>Proxy hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Proxy bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Save proxy</source>
        <translation>Proxy speichern</translation>
    </message>
    <message>
        <source>leave empty to keep</source>
        <translation>leer lassen, um es zu behalten</translation>
    </message>
    <message>
        <source>Proxy type</source>
        <translation>Proxy-Typ</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation>proxy.example.com oder 203.0.113.7</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Remo&amp;ve the stored password</source>
        <translation>Gespeichertes Passwort &amp;entfernen</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>Gespeichertes Passwort entfernen</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <source>host:port when empty</source>
        <translation>Host:Port, wenn leer</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <source>DE, US, … (optional)</source>
        <translation>DE, US, … (optional)</translation>
    </message>
    <message>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation>Der zweibuchstabige Ländercode des Proxy-Ausgangs. Der Browser eines Clients übernimmt daraus Zeitzone und Sprachen, wenn seine Identität keine festlegt.</translation>
    </message>
    <message>
        <source>Most clients</source>
        <translation>Höchstzahl an Clients</translation>
    </message>
    <message>
        <source>How many clients may use this proxy at most</source>
        <translation>Wie viele Clients diesen Proxy höchstens nutzen dürfen</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;wort:</translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation>Be&amp;zeichnung:</translation>
    </message>
    <message>
        <source>&amp;Country:</source>
        <translation>&amp;Land:</translation>
    </message>
    <message>
        <source>&amp;Most clients:</source>
        <translation>&amp;Höchstzahl an Clients:</translation>
    </message>
    <message>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation>Jeder Client behält seinen Proxy; WaDesk wechselt nie Adressen. Das Passwort wird verschlüsselt gespeichert und nie wieder angezeigt.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <source>Healthy (%1 ms)</source>
        <translation>Funktioniert (%1 ms)</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Funktioniert</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>Nicht erreichbar</translation>
    </message>
    <message>
        <source>Unreachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>Noch nicht geprüft</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>SOCKS5</source>
        <translation>SOCKS5</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1
since %2</source>
        <translation>%1
seit %2</translation>
    </message>
    <message>
        <source>%1
Exit address: %2</source>
        <translation>%1
Ausgangsadresse: %2</translation>
    </message>
    <message>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation>%1, %2 %3, %4 Clients, %5</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation>Zuletzt geprüft</translation>
    </message>
    <message>
        <source>Your role may not see the proxies.</source>
        <translation>Ihre Rolle darf die Proxys nicht sehen.</translation>
    </message>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxys sind nicht verfügbar: WaDesk läuft ohne seinen Schlüsselspeicher.</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyCompleter</name>
    <message>
        <source>Quick replies</source>
        <translation>Schnellantworten</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyEditDialog</name>
    <message>
        <source>Edit Quick Reply</source>
        <translation>Schnellantwort bearbeiten</translation>
    </message>
    <message>
        <source>New Quick Reply</source>
        <translation>Neue Schnellantwort</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Kürzel</translation>
    </message>
    <message>
        <source>greeting</source>
        <translation>hallo</translation>
    </message>
    <message>
        <source>1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it</source>
        <translation>1 bis 32 Buchstaben, Ziffern, _ oder -; geben Sie im Eingabefeld / und das Kürzel ein, um es zu erweitern</translation>
    </message>
    <message>
        <source>&amp;Shortcut: /</source>
        <translation>&amp;Kürzel: /</translation>
    </message>
    <message>
        <source>Quick reply text</source>
        <translation>Text der Schnellantwort</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Quick reply error</source>
        <translation>Fehler bei der Schnellantwort</translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <source>Sending limits</source>
        <translation>Sendelimits</translation>
    </message>
    <message>
        <source>Limits unavailable: %1</source>
        <translation>Limits nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>%1: %2/%3</source>
        <translation>%1: %2/%3</translation>
    </message>
    <message>
        <source>%1 used %2 of %3</source>
        <translation>%1: %2 von %3 genutzt</translation>
    </message>
    <message>
        <source>Minute</source>
        <translation>Minute</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Stunde</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message numerus="yes">
        <source>Queue: %n</source>
        <translation>
            <numerusform>Warteschlange: %n</numerusform>
            <numerusform>Warteschlange: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>(last leaves about %1)</source>
        <translation>(letzte geht etwa um %1 raus)</translation>
    </message>
    <message>
        <source>Sending paused</source>
        <translation>Senden pausiert</translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <source>Rename client</source>
        <translation>Client umbenennen</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>Neuer Name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Umbenennen</translation>
    </message>
</context>
<context>
    <name>wadesk::ReportTableModel</name>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Nummer</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>Avg. response</source>
        <translation>Ø Antwort</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 Min.</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 Std.</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1 T.</translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <source>No client selected</source>
        <translation>Kein Client ausgewählt</translation>
    </message>
    <message>
        <source>Session state: %1</source>
        <translation>Sitzungsstatus: %1</translation>
    </message>
    <message>
        <source>Waiting for an operator to link this number.</source>
        <translation>Warten darauf, dass ein Bediener diese Nummer verknüpft.</translation>
    </message>
    <message>
        <source>Linked to %1</source>
        <translation>Verknüpft mit %1</translation>
    </message>
    <message>
        <source>Select a client on the left.</source>
        <translation>Wählen Sie links einen Client aus.</translation>
    </message>
    <message>
        <source>This client is waiting to be linked by an operator.</source>
        <translation>Dieser Client wartet darauf, von einem Bediener verknüpft zu werden.</translation>
    </message>
    <message>
        <source>The session of this client is starting.</source>
        <translation>Die Sitzung dieses Clients wird gestartet.</translation>
    </message>
    <message>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation>Die Sitzung ist fehlgeschlagen: %1
Starten Sie sie über das Menü „Client“ erneut.</translation>
    </message>
    <message>
        <source>The session of this client is not running.</source>
        <translation>Die Sitzung dieses Clients läuft nicht.</translation>
    </message>
    <message>
        <source>WhatsApp Web of %1</source>
        <translation>WhatsApp Web von %1</translation>
    </message>
    <message>
        <source>Proxy: unknown</source>
        <translation>Proxy: unbekannt</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>Kein Proxy</translation>
    </message>
    <message>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation>Dieser Client verbindet sich direkt mit WhatsApp. Weisen Sie ihm in der Proxy-Ansicht einen Proxy zu.</translation>
    </message>
    <message>
        <source>Proxy: %1 · %2</source>
        <translation>Proxy: %1 · %2</translation>
    </message>
    <message>
        <source>%1 proxy at %2</source>
        <translation>%1-Proxy unter %2</translation>
    </message>
    <message>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation>Darf bei Ausfall auf einen anderen funktionierenden Proxy wechseln.</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.</source>
        <translation>Öffnen Sie auf dem Telefon WhatsApp → Einstellungen → Verknüpfte Geräte → Gerät hinzufügen, und scannen Sie den QR-Code, oder verknüpfen Sie es stattdessen mit seiner Telefonnummer.</translation>
    </message>
    <message>
        <source>The code expired: click &quot;New code&quot;.</source>
        <translation>Der Code ist abgelaufen: Klicken Sie auf „Neuer Code“.</translation>
    </message>
    <message>
        <source>(this replaces %1, the number this client had before)</source>
        <translation>(ersetzt %1, die Nummer, die dieser Client vorher hatte)</translation>
    </message>
    <message>
        <source>&amp;Add Your First Client…</source>
        <translation>Ihren ersten Client &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Start Session</source>
        <translation>Sitzung &amp;starten</translation>
    </message>
    <message>
        <source>No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.</source>
        <translation>Noch keine Clients. Ein Client ist eine WhatsApp-Nummer: Fügen Sie einen hinzu und verknüpfen Sie ihn dann, indem Sie seinen QR-Code scannen.</translation>
    </message>
    <message>
        <source>No clients are assigned to you yet. Ask an admin or a manager to assign one.</source>
        <translation>Ihnen sind noch keine Clients zugewiesen. Bitten Sie einen Admin oder Manager, Ihnen einen zuzuweisen.</translation>
    </message>
    <message>
        <source>The session of this client is not running. Start it to link or use the number.</source>
        <translation>Die Sitzung dieses Clients läuft nicht. Starten Sie sie, um die Nummer zu verknüpfen oder zu verwenden.</translation>
    </message>
    <message>
        <source>This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.</source>
        <translation>Diese Sitzung läuft auf %1 (%2). Ihre Seite wird dort angezeigt; was Sie hier über das Menü „Client“ tun, wird an diese Instanz gesendet.</translation>
    </message>
</context>
<context>
    <name>wadesk::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Bereiche der Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Organization</source>
        <translation>&amp;Organisation</translation>
    </message>
    <message>
        <source>&amp;Client Limits</source>
        <translation>&amp;Client-Limits</translation>
    </message>
    <message>
        <source>&amp;Installation</source>
        <translation>&amp;Installation</translation>
    </message>
    <message>
        <source>Settings error</source>
        <translation>Fehler in den Einstellungen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Name der Organisation</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Zeitzone</translation>
    </message>
    <message>
        <source>The zone in which the dashboard and the analytics cut days. Type to search.</source>
        <translation>Die Zone, in der das Dashboard und die Auswertungen Tage abgrenzen. Tippen Sie, um zu suchen.</translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation>&amp;Zeitzone:</translation>
    </message>
    <message>
        <source>&amp;Save Organization</source>
        <translation>Organisation &amp;speichern</translation>
    </message>
    <message>
        <source>Save organization settings</source>
        <translation>Einstellungen der Organisation speichern</translation>
    </message>
    <message>
        <source>Only admins change the organization&apos;s settings.</source>
        <translation>Nur Admins ändern die Einstellungen der Organisation.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time zone; pick one from the list, such as Europe/Paris</source>
        <translation>„%1“ ist keine Zeitzone; wählen Sie eine aus der Liste, etwa Europe/Berlin</translation>
    </message>
    <message>
        <source>Organization settings saved.</source>
        <translation>Einstellungen der Organisation gespeichert.</translation>
    </message>
    <message>
        <source>A client&apos;s own send limits. &quot;Installation default&quot; uses the limits on the Installation tab.</source>
        <translation>Die eigenen Sendelimits eines Clients. „Standard der Installation“ verwendet die Limits auf der Registerkarte „Installation“.</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <source>Client messages per minute</source>
        <translation>Nachrichten des Clients pro Minute</translation>
    </message>
    <message>
        <source>Client messages per hour</source>
        <translation>Nachrichten des Clients pro Stunde</translation>
    </message>
    <message>
        <source>Client messages per day</source>
        <translation>Nachrichten des Clients pro Tag</translation>
    </message>
    <message>
        <source>Installation default</source>
        <translation>Standard der Installation</translation>
    </message>
    <message>
        <source>Per &amp;minute:</source>
        <translation>Pro &amp;Minute:</translation>
    </message>
    <message>
        <source>Per &amp;hour:</source>
        <translation>Pro &amp;Stunde:</translation>
    </message>
    <message>
        <source>Per &amp;day:</source>
        <translation>Pro &amp;Tag:</translation>
    </message>
    <message>
        <source>Save &amp;Limits</source>
        <translation>&amp;Limits speichern</translation>
    </message>
    <message>
        <source>Save the client&apos;s limits</source>
        <translation>Die Limits des Clients speichern</translation>
    </message>
    <message>
        <source>No clients yet</source>
        <translation>Noch keine Clients</translation>
    </message>
    <message>
        <source>Pick a client first.</source>
        <translation>Wählen Sie zuerst einen Client.</translation>
    </message>
    <message>
        <source>Limits of %1 saved; they apply to its next message.</source>
        <translation>Limits von %1 gespeichert; sie gelten ab seiner nächsten Nachricht.</translation>
    </message>
    <message>
        <source>These settings are kept in the settings file (%1) and apply when WaDesk starts next. Environment variables and command-line options take precedence over them.</source>
        <translation>Diese Einstellungen stehen in der Einstellungsdatei (%1) und gelten beim nächsten Start von WaDesk. Umgebungsvariablen und Befehlszeilenoptionen haben Vorrang vor ihnen.</translation>
    </message>
    <message>
        <source>none in this run</source>
        <translation>in diesem Lauf keine</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Default messages per minute</source>
        <translation>Standard-Nachrichten pro Minute</translation>
    </message>
    <message>
        <source>Default messages per hour</source>
        <translation>Standard-Nachrichten pro Stunde</translation>
    </message>
    <message>
        <source>Default messages per day</source>
        <translation>Standard-Nachrichten pro Tag</translation>
    </message>
    <message>
        <source>Per minute:</source>
        <translation>Pro Minute:</translation>
    </message>
    <message>
        <source>Per hour:</source>
        <translation>Pro Stunde:</translation>
    </message>
    <message>
        <source>Per day:</source>
        <translation>Pro Tag:</translation>
    </message>
    <message>
        <source>&amp;Pace like a person (typing time and pauses between messages)</source>
        <translation>Wie ein Mensch &amp;takten (Tippzeit und Pausen zwischen Nachrichten)</translation>
    </message>
    <message>
        <source>Human pacing</source>
        <translation>Menschliches Tempo</translation>
    </message>
    <message>
        <source>Opt-out keywords</source>
        <translation>Abmelde-Schlüsselwörter</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender out.</source>
        <translation>Durch Kommas getrennt. Eine Nachricht, die genau einem davon entspricht, meldet ihren Absender ab.</translation>
    </message>
    <message>
        <source>Opt-&amp;out keywords:</source>
        <translation>Ab&amp;melde-Schlüsselwörter:</translation>
    </message>
    <message>
        <source>Opt-in keywords</source>
        <translation>Anmelde-Schlüsselwörter</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender back in.</source>
        <translation>Durch Kommas getrennt. Eine Nachricht, die genau einem davon entspricht, meldet ihren Absender wieder an.</translation>
    </message>
    <message>
        <source>Opt-i&amp;n keywords:</source>
        <translation>A&amp;nmelde-Schlüsselwörter:</translation>
    </message>
    <message>
        <source>Data retention</source>
        <translation>Datenaufbewahrung</translation>
    </message>
    <message>
        <source>Days to keep messages</source>
        <translation>Tage, die Nachrichten aufbewahrt werden</translation>
    </message>
    <message>
        <source>Days to keep files</source>
        <translation>Tage, die Dateien aufbewahrt werden</translation>
    </message>
    <message>
        <source>Days to keep events</source>
        <translation>Tage, die Ereignisse aufbewahrt werden</translation>
    </message>
    <message>
        <source>Days to keep webhook deliveries</source>
        <translation>Tage, die Webhook-Zustellungen aufbewahrt werden</translation>
    </message>
    <message>
        <source>Days to keep dead letters</source>
        <translation>Tage, die unzustellbare Nachrichten aufbewahrt werden</translation>
    </message>
    <message>
        <source>&amp;Messages:</source>
        <translation>&amp;Nachrichten:</translation>
    </message>
    <message>
        <source>&amp;Files:</source>
        <translation>&amp;Dateien:</translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation>&amp;Ereignisse:</translation>
    </message>
    <message>
        <source>&amp;Webhook deliveries:</source>
        <translation>&amp;Webhook-Zustellungen:</translation>
    </message>
    <message>
        <source>Dead &amp;letters:</source>
        <translation>&amp;Unzustellbare:</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API-Adresse</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>API-Port</translation>
    </message>
    <message>
        <source>Any free port</source>
        <translation>Beliebiger freier Port</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>P&amp;ort:</translation>
    </message>
    <message>
        <source>Allow &amp;remote access (an address other than this computer&apos;s)</source>
        <translation>&amp;Fernzugriff erlauben (eine andere Adresse als die dieses Computers)</translation>
    </message>
    <message>
        <source>Allow remote API access</source>
        <translation>Fernzugriff auf die API erlauben</translation>
    </message>
    <message>
        <source>WaDesk must be restarted for a new address or port to apply. Now: %1</source>
        <translation>WaDesk muss neu gestartet werden, damit eine neue Adresse oder ein neuer Port gilt. Jetzt: %1</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>Spr&amp;ache:</translation>
    </message>
    <message>
        <source>Save Installation Settings</source>
        <translation>Installationseinstellungen speichern</translation>
    </message>
    <message>
        <source>Save installation settings</source>
        <translation>Installationseinstellungen speichern</translation>
    </message>
    <message>
        <source>Saved. Restart WaDesk to apply the installation settings.</source>
        <translation>Gespeichert. Starten Sie WaDesk neu, damit die Installationseinstellungen gelten.</translation>
    </message>
    <message>
        <source>No&amp;tifications</source>
        <translation>Benachrich&amp;tigungen</translation>
    </message>
    <message>
        <source>Show a desktop &amp;notification when a message arrives while WaDesk is not in front</source>
        <translation>Eine Desktop-&amp;Benachrichtigung anzeigen, wenn eine Nachricht eintrifft, während WaDesk nicht im Vordergrund ist</translation>
    </message>
    <message>
        <source>Desktop notifications for new messages</source>
        <translation>Desktop-Benachrichtigungen für neue Nachrichten</translation>
    </message>
    <message>
        <source>Notifications need the tray; this run has none.</source>
        <translation>Benachrichtigungen brauchen den Infobereich; bei diesem Start ist keiner vorhanden.</translation>
    </message>
    <message>
        <source>Only messages to clients you may see are notified. The same switch is in the tray menu.</source>
        <translation>Benachrichtigt wird nur über Nachrichten an Clients, die Sie sehen dürfen. Derselbe Schalter steht im Menü des Infobereichs.</translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <source>Sign in to %1</source>
        <translation>Bei %1 anmelden</translation>
    </message>
    <message>
        <source>Sign in with your WaDesk account.</source>
        <translation>Melden Sie sich mit Ihrem WaDesk-Konto an.</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>Anmeldefehler</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Quit WaDesk</source>
        <translation>WaDesk beenden</translation>
    </message>
    <message>
        <source>Enter your email address.</source>
        <translation>Geben Sie Ihre E-Mail-Adresse ein.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts, try again in %n s</source>
        <translation>
            <numerusform>Zu viele Versuche, erneut versuchen in %n s</numerusform>
            <numerusform>Zu viele Versuche, erneut versuchen in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Signing in failed: %1</source>
        <translation>Die Anmeldung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Invalid email or password</source>
        <translation>E-Mail oder Passwort ungültig</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Ihre Rolle darf das Team nicht verwalten.</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation>Die Mitglieder Ihrer Organisation. Administratoren verwalten alle; Manager verwalten Agenten und Betrachter. Agenten und Betrachter sehen nur die ihnen zugewiesenen Clients.</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>Teammitglieder</translation>
    </message>
    <message>
        <source>&amp;Add Member…</source>
        <translation>Mitglied &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Mitglied hinzufügen</translation>
    </message>
    <message>
        <source>Create an account for a new team member</source>
        <translation>Ein Konto für ein neues Teammitglied anlegen</translation>
    </message>
    <message>
        <source>New role for the selected member</source>
        <translation>Neue Rolle für das ausgewählte Mitglied</translation>
    </message>
    <message>
        <source>R&amp;ole:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <source>&amp;Change Role</source>
        <translation>Rolle ä&amp;ndern</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Rolle ändern</translation>
    </message>
    <message>
        <source>Give the selected member the role chosen above</source>
        <translation>Dem ausgewählten Mitglied die oben gewählte Rolle geben</translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>Deactivate member</source>
        <translation>Mitglied deaktivieren</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Mitglied entfernen</translation>
    </message>
    <message>
        <source>Delete the selected member&apos;s account</source>
        <translation>Das Konto des ausgewählten Mitglieds löschen</translation>
    </message>
    <message>
        <source>Assigned c&amp;lients</source>
        <translation>&amp;Zugewiesene Clients</translation>
    </message>
    <message>
        <source>Assigned clients</source>
        <translation>Zugewiesene Clients</translation>
    </message>
    <message>
        <source>Tick the clients this member may see</source>
        <translation>Kreuzen Sie die Clients an, die dieses Mitglied sehen darf</translation>
    </message>
    <message>
        <source>Team error</source>
        <translation>Teamfehler</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Ac&amp;tivate</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Activate member</source>
        <translation>Mitglied aktivieren</translation>
    </message>
    <message>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation>Das ausgewählte Mitglied an der Anmeldung hindern (umkehrbar)</translation>
    </message>
    <message>
        <source>Let the selected member sign in again</source>
        <translation>Dem ausgewählten Mitglied die Anmeldung wieder erlauben</translation>
    </message>
    <message>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation>Das sind Sie: Sie können weder Ihre eigene Rolle ändern noch sich selbst deaktivieren oder entfernen.</translation>
    </message>
    <message>
        <source>Managers can only manage agents and viewers.</source>
        <translation>Manager können nur Agenten und Betrachter verwalten.</translation>
    </message>
    <message>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation>Wählen Sie einen Agenten oder Betrachter aus, um festzulegen, welche Clients er sieht.</translation>
    </message>
    <message>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation>%1 ist Administrator: Administratoren sehen alle Clients der Organisation.</translation>
    </message>
    <message>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation>%1 ist Manager: Manager sehen alle Clients der Organisation.</translation>
    </message>
    <message>
        <source>The assignments could not be read.</source>
        <translation>Die Zuweisungen konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The clients could not be read.</source>
        <translation>Die Clients konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The organization has no clients yet.</source>
        <translation>Die Organisation hat noch keine Clients.</translation>
    </message>
    <message numerus="yes">
        <source>The clients %1 sees (%2 of %n):</source>
        <translation>
            <numerusform>Die Clients, die %1 sieht (%2 von %n):</numerusform>
            <numerusform>Die Clients, die %1 sieht (%2 von %n):</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove team member</source>
        <translation>Teammitglied entfernen</translation>
    </message>
    <message>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation>%1 (%2) aus dem Team entfernen? Die Person kann sich danach nicht mehr anmelden.</translation>
    </message>
    <message>
        <source>The password could not be hashed.</source>
        <translation>Das Passwort konnte nicht gehasht werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>Betrachter</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (Sie)</translation>
    </message>
    <message>
        <source>%1, %2, %3, %4</source>
        <translation>%1, %2, %3, %4</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Ihre Rolle darf das Team nicht verwalten.</translation>
    </message>
</context>
<context>
    <name>wadesk::TemplateEditDialog</name>
    <message>
        <source>Edit Template</source>
        <translation>Vorlage bearbeiten</translation>
    </message>
    <message>
        <source>New Template</source>
        <translation>Neue Vorlage</translation>
    </message>
    <message>
        <source>Template name</source>
        <translation>Name der Vorlage</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Template text</source>
        <translation>Text der Vorlage</translation>
    </message>
    <message>
        <source>Hello {{name|there}}, your order for {{attributes.city}} is ready.</source>
        <translation>Hallo {{name|zusammen}}, Ihre Bestellung für {{attributes.city}} ist bereit.</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}.</source>
        <translation>Variablen: {{name}}, {{phone_number}}, {{attributes.key}}; ein Standardwert nach einem senkrechten Strich: {{name|zusammen}}.</translation>
    </message>
    <message>
        <source>Preview for contact</source>
        <translation>Vorschau für Kontakt</translation>
    </message>
    <message>
        <source>A sample number (no name, no attributes)</source>
        <translation>Eine Beispielnummer (ohne Name, ohne Attribute)</translation>
    </message>
    <message>
        <source>Preview &amp;for:</source>
        <translation>Vorschau &amp;für:</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vorschau:</translation>
    </message>
    <message>
        <source>Template error</source>
        <translation>Vorlagenfehler</translation>
    </message>
    <message>
        <source>Cannot be previewed: %1</source>
        <translation>Keine Vorschau möglich: %1</translation>
    </message>
    <message>
        <source>%1

({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)</source>
        <translation>%1

({{%2}} hat für diesen Kontakt keinen Wert und keinen Standardwert: Eine Kampagne überspringt einen solchen Empfänger.)</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhookListModel</name>
    <message>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Alle Ereignisse</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Disabled: %1</source>
        <translation>Deaktiviert: %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, %2, %3, last success %4, last failure %5</source>
        <translation>%1, %2, %3, letzter Erfolg %4, letzter Fehlschlag %5</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Letzter Erfolg</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Letzter Fehlschlag</translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Ihre Rolle darf keine Webhooks verwalten.</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Webhooks brauchen den Geheimnisspeicher, der nicht verfügbar ist.</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhooksDialog</name>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Ihre Rolle darf keine Webhooks verwalten.</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that keeps failing is disabled until you re-enable it.</source>
        <translation>WaDesk sendet jedes Ereignis, das Ihre Endpunkte abonniert haben, als signierten HTTP-POST. Ein Endpunkt, der wiederholt fehlschlägt, wird deaktiviert, bis Sie ihn wieder aktivieren.</translation>
    </message>
    <message>
        <source>Webhook endpoints</source>
        <translation>Webhook-Endpunkte</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Register a new endpoint</source>
        <translation>Einen neuen Endpunkt registrieren</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>Ein Testereignis senden</translation>
    </message>
    <message>
        <source>Send a signed test event to the selected endpoint now</source>
        <translation>Jetzt ein signiertes Testereignis an den ausgewählten Endpunkt senden</translation>
    </message>
    <message>
        <source>Re-&amp;enable</source>
        <translation>Wieder &amp;aktivieren</translation>
    </message>
    <message>
        <source>Re-enable webhook</source>
        <translation>Webhook wieder aktivieren</translation>
    </message>
    <message>
        <source>Send events to the selected endpoint again</source>
        <translation>Wieder Ereignisse an den ausgewählten Endpunkt senden</translation>
    </message>
    <message>
        <source>R&amp;otate Secret…</source>
        <translation>Geheimnis &amp;erneuern…</translation>
    </message>
    <message>
        <source>Rotate secret</source>
        <translation>Geheimnis erneuern</translation>
    </message>
    <message>
        <source>Make a new signing secret; the old one keeps signing for 24 hours</source>
        <translation>Ein neues Signaturgeheimnis erzeugen; das alte signiert noch 24 Stunden lang mit</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation>Webhook löschen</translation>
    </message>
    <message>
        <source>Test result</source>
        <translation>Testergebnis</translation>
    </message>
    <message>
        <source>Deliveries of the selected webhook</source>
        <translation>Zustellungen des ausgewählten Webhooks</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>Show deliveries with status</source>
        <translation>Zustellungen mit Status anzeigen</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>&amp;Neu laden</translation>
    </message>
    <message>
        <source>Reload deliveries</source>
        <translation>Zustellungen neu laden</translation>
    </message>
    <message>
        <source>Re&amp;play</source>
        <translation>Erneut &amp;senden</translation>
    </message>
    <message>
        <source>Replay delivery</source>
        <translation>Zustellung erneut senden</translation>
    </message>
    <message>
        <source>Send the selected delivery again, with a fresh set of attempts</source>
        <translation>Die ausgewählte Zustellung mit neuen Versuchen erneut senden</translation>
    </message>
    <message>
        <source>Delivery log</source>
        <translation>Zustellprotokoll</translation>
    </message>
    <message>
        <source>Payload of the selected delivery</source>
        <translation>Nutzdaten der ausgewählten Zustellung</translation>
    </message>
    <message>
        <source>Select a delivery to see what was sent.</source>
        <translation>Wählen Sie eine Zustellung, um zu sehen, was gesendet wurde.</translation>
    </message>
    <message>
        <source>Webhooks error</source>
        <translation>Webhook-Fehler</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Response:</source>
        <translation>Antwort:</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Webhooks brauchen den Geheimnisspeicher, der nicht verfügbar ist.</translation>
    </message>
    <message>
        <source>This endpoint is disabled.</source>
        <translation>Dieser Endpunkt ist deaktiviert.</translation>
    </message>
    <message>
        <source>This endpoint is disabled: %1</source>
        <translation>Dieser Endpunkt ist deaktiviert: %1</translation>
    </message>
    <message>
        <source>No webhooks yet. Use Add… to register an endpoint.</source>
        <translation>Noch keine Webhooks. Registrieren Sie einen Endpunkt mit „Hinzufügen…“.</translation>
    </message>
    <message>
        <source>Enter the URL of the endpoint.</source>
        <translation>Geben Sie die URL des Endpunkts ein.</translation>
    </message>
    <message>
        <source>Tick at least one event to send.</source>
        <translation>Kreuzen Sie mindestens ein zu sendendes Ereignis an.</translation>
    </message>
    <message>
        <source>The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your endpoint checks the webhook-signature header.</source>
        <translation>Der Webhook für %1 ist registriert. Jede Zustellung wird mit diesem Geheimnis signiert; bewahren Sie es dort auf, wo Ihr Endpunkt den Header webhook-signature prüft.</translation>
    </message>
    <message>
        <source>The host %1 does not resolve yet: deliveries are retried while it does not.</source>
        <translation>Der Host %1 lässt sich noch nicht auflösen: Zustellungen werden wiederholt, solange das so bleibt.</translation>
    </message>
    <message>
        <source>Webhook Secret</source>
        <translation>Webhook-Geheimnis</translation>
    </message>
    <message>
        <source>A test is already running.</source>
        <translation>Es läuft bereits ein Test.</translation>
    </message>
    <message>
        <source>The webhook secret cannot be opened.</source>
        <translation>Das Webhook-Geheimnis kann nicht geöffnet werden.</translation>
    </message>
    <message>
        <source>Sending a test event…</source>
        <translation>Sende ein Testereignis…</translation>
    </message>
    <message>
        <source>HTTP %1 in %2 ms</source>
        <translation>HTTP %1 in %2 ms</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>Keine Antwort: %1</translation>
    </message>
    <message>
        <source>Delivered: %1</source>
        <translation>Zugestellt: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>New Webhook Secret</source>
        <translation>Neues Webhook-Geheimnis</translation>
    </message>
    <message>
        <source>The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can switch over.</source>
        <translation>Das neue Geheimnis für %1. Das vorherige Geheimnis signiert 24 Stunden lang weiter mit, damit Ihr Endpunkt umstellen kann.</translation>
    </message>
    <message>
        <source>Make a new signing secret for %1? The current one stays valid for 24 hours.</source>
        <translation>Ein neues Signaturgeheimnis für %1 erzeugen? Das aktuelle bleibt 24 Stunden lang gültig.</translation>
    </message>
    <message>
        <source>Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.</source>
        <translation>Den Webhook für %1 löschen? Seine ausstehenden Zustellungen werden verworfen, und er erhält keine Ereignisse mehr.</translation>
    </message>
</context>
</TS>
