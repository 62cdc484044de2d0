<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="19"/>
        <source>Add client</source>
        <translation>Client hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="26"/>
        <source>Front desk</source>
        <translation>Empfang</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="27"/>
        <source>Client name</source>
        <translation>Name des Clients</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="31"/>
        <source>+14155552671 (optional)</source>
        <translation>+14155552671 (optional)</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="32"/>
        <source>Phone number</source>
        <translation>Telefonnummer</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="33"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="34"/>
        <source>&amp;Phone number:</source>
        <translation>&amp;Telefonnummer:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="36"/>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation>Starten Sie den Client nach dem Hinzufügen und scannen Sie seinen QR-Code mit dem Telefon.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="45"/>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
</context>
<context>
    <name>wadesk::AddMemberDialog</name>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="19"/>
        <source>Add team member</source>
        <translation>Teammitglied hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="25"/>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="28"/>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="31"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="35"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="43"/>
        <source>Initial password</source>
        <translation>Anfangspasswort</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/team/AddMemberDialog.cpp" line="46"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="47"/>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="48"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="49"/>
        <source>&amp;Role:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="50"/>
        <source>Initial &amp;password:</source>
        <translation>Anfangs&amp;passwort:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="52"/>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation>Das neue Mitglied meldet sich mit dieser E-Mail-Adresse und diesem Passwort an; geben Sie das Passwort auf sicherem Weg weiter.</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="57"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="64"/>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="66"/>
        <source>Add member</source>
        <translation>Mitglied hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="67"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="20"/>
        <source>Assign proxy</source>
        <translation>Proxy zuweisen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="26"/>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="34"/>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="35"/>
        <source>Automatic (the least used healthy proxy)</source>
        <translation>Automatisch (der am wenigsten genutzte funktionierende Proxy)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="36"/>
        <source>No proxy (connect directly)</source>
        <translation>Kein Proxy (direkt verbinden)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="38"/>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation>%1 — %2, %3 von %4 Clients, %5</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="45"/>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation>Bei Ausfall auf einen anderen funktionierenden Proxy &amp;wechseln</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="47"/>
        <source>Allow failover to another proxy</source>
        <translation>Wechsel auf einen anderen Proxy erlauben</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="48"/>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation>Aus: Solange sein Proxy ausgefallen ist, wartet der Client und verbindet sich nie direkt.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="49"/>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="50"/>
        <source>Now:</source>
        <translation>Jetzt:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="51"/>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="54"/>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation>Der Client behält diesen Proxy: WaDesk wechselt keine Adressen, denn eine Nummer mit wechselnder Adresse wirkt automatisiert.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="61"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="70"/>
        <source>&amp;Assign</source>
        <translation>&amp;Zuweisen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="73"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="96"/>
        <source>No proxy</source>
        <translation>Kein Proxy</translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="75"/>
        <source>The file is no longer stored.</source>
        <translation>Die Datei ist nicht mehr gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="78"/>
        <source>%1 cannot be written: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="90"/>
        <source>The stored file could not be read whole.</source>
        <translation>Die gespeicherte Datei konnte nicht vollständig gelesen werden.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="105"/>
        <source>No temporary folder could be made: %1</source>
        <translation>Es konnte kein temporärer Ordner angelegt werden: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="32"/>
        <source>Your role may not manage clients.</source>
        <translation>Ihre Rolle darf keine Clients verwalten.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="42"/>
        <source>&amp;Add Client…</source>
        <translation>Client &amp;hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="43"/>
        <source>Add a WhatsApp client</source>
        <translation>Einen WhatsApp-Client hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="44"/>
        <source>Re&amp;name Client…</source>
        <translation>Client &amp;umbenennen…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="45"/>
        <source>Rename the selected client</source>
        <translation>Den ausgewählten Client umbenennen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="46"/>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="47"/>
        <source>Start the selected client&apos;s session</source>
        <translation>Die Sitzung des ausgewählten Clients starten</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="48"/>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="49"/>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation>Die Sitzung des ausgewählten Clients stoppen (er bleibt verknüpft)</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="50"/>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation>Von WhatsApp &amp;abmelden…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="51"/>
        <source>Unlink the selected client&apos;s phone</source>
        <translation>Die Verknüpfung mit dem Telefon des ausgewählten Clients aufheben</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="52"/>
        <source>&amp;Pause Sending</source>
        <translation>Senden &amp;pausieren</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="53"/>
        <source>Hold the selected client&apos;s send queue</source>
        <translation>Die Sendewarteschlange des ausgewählten Clients anhalten</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="54"/>
        <source>&amp;Resume Sending</source>
        <translation>Senden &amp;fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="55"/>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation>Die Sendewarteschlange des ausgewählten Clients weiterlaufen lassen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="135"/>
        <location filename="../ui/clients/ClientActions.cpp" line="151"/>
        <source>The name must be 1 to 100 characters.</source>
        <translation>Der Name muss 1 bis 100 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="172"/>
        <source>The session could not start: %1</source>
        <translation>Die Sitzung konnte nicht gestartet werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="195"/>
        <source>The client is not running.</source>
        <translation>Der Client läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="229"/>
        <source>WaDesk</source>
        <translation>WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="264"/>
        <source>Log out of WhatsApp</source>
        <translation>Von WhatsApp abmelden</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="265"/>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation>Die Verknüpfung von „%1“ mit seinem Telefon aufheben? Zum erneuten Verknüpfen muss wieder ein QR-Code mit dem Telefon gescannt werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="24"/>
        <source>&amp;To:</source>
        <translation>A&amp;n:</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="27"/>
        <source>Phone number, e.g. +14155552671</source>
        <translation>Telefonnummer, z. B. +14155552671</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="28"/>
        <source>Recipient phone number</source>
        <translation>Telefonnummer des Empfängers</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="33"/>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation>Nachricht schreiben (Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="34"/>
        <source>Message text</source>
        <translation>Nachrichtentext</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="38"/>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="40"/>
        <source>Send message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="41"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>Senden (Strg+Eingabe)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/Composer.cpp" line="114"/>
        <source>Try again in %n second(s).</source>
        <translation>
            <numerusform>Versuchen Sie es in %n Sekunde erneut.</numerusform>
            <numerusform>Versuchen Sie es in %n Sekunden erneut.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="119"/>
        <source>Queued.</source>
        <translation>In die Warteschlange gestellt.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="121"/>
        <source>Remove the attachment</source>
        <translation>Den Anhang entfernen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="122"/>
        <source>Remove attachment</source>
        <translation>Anhang entfernen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="140"/>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation>Eine Datei anhängen (oder hier ablegen, oder ein Bild einfügen)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="141"/>
        <source>Attach a file</source>
        <translation>Datei anhängen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="232"/>
        <source>The file %1 does not exist.</source>
        <translation>Die Datei %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="236"/>
        <source>Only files can be attached; %1 is not one.</source>
        <translation>Nur Dateien können angehängt werden; %1 ist keine.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="240"/>
        <source>The file %1 cannot be read.</source>
        <translation>Die Datei %1 kann nicht gelesen werden.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="255"/>
        <source>The clipboard holds no image that can be read.</source>
        <translation>Die Zwischenablage enthält kein lesbares Bild.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="263"/>
        <source>The image could not be encoded as PNG.</source>
        <translation>Das Bild konnte nicht als PNG gespeichert werden.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="275"/>
        <source>The file %1 is empty.</source>
        <translation>Die Datei %1 ist leer.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="280"/>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation>%1 ist %2 groß; Dateien bis %3 können gesendet werden.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="310"/>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation>Bildunterschrift hinzufügen (optional; Strg+Eingabe sendet)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="312"/>
        <source>Caption</source>
        <translation>Bildunterschrift</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="321"/>
        <source>Attachment: %1, %2</source>
        <translation>Anhang: %1, %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="423"/>
        <source>The file %1 can no longer be read: %2</source>
        <translation>Die Datei %1 kann nicht mehr gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="433"/>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation>Die Datei %1 hat sich seit dem Anhängen geändert und ist jetzt %2 groß; Dateien bis %3 können gesendet werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactListModel</name>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="42"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="45"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="47"/>
        <source> (opted out)</source>
        <translation> (hat widersprochen)</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="49"/>
        <source>, tags: %1</source>
        <translation>, Tags: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="43"/>
        <source>Search contacts</source>
        <translation>Kontakte suchen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="44"/>
        <source>Search contacts by name or number</source>
        <translation>Kontakte nach Name oder Nummer suchen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="50"/>
        <source>Contacts</source>
        <translation>Kontakte</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="69"/>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="80"/>
        <source>Your role can read conversations but not send messages.</source>
        <translation>Ihre Rolle darf Unterhaltungen lesen, aber keine Nachrichten senden.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="175"/>
        <source>Select a client to see its conversations.</source>
        <translation>Wählen Sie einen Client aus, um seine Unterhaltungen zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="180"/>
        <source>Select a contact, or write to a new number below.</source>
        <translation>Wählen Sie einen Kontakt aus oder schreiben Sie unten an eine neue Nummer.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="185"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="136"/>
        <source>The file of this message was not downloaded.</source>
        <translation>Die Datei dieser Nachricht wurde nicht heruntergeladen.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="137"/>
        <source>The file of this message is no longer stored.</source>
        <translation>Die Datei dieser Nachricht ist nicht mehr gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="138"/>
        <source>This message has no file.</source>
        <translation>Diese Nachricht hat keine Datei.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="156"/>
        <source>No application opens %1.</source>
        <translation>Keine Anwendung öffnet %1.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="170"/>
        <source>Save attachment</source>
        <translation>Anhang speichern</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="193"/>
        <source>Open attachment</source>
        <translation>Anhang öffnen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="205"/>
        <source>&amp;Open attachment</source>
        <translation>Anhang ö&amp;ffnen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="209"/>
        <source>&amp;Save attachment as…</source>
        <translation>Anhang &amp;speichern unter…</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="143"/>
        <source>The file of this message is still being downloaded.</source>
        <translation>Die Datei dieser Nachricht wird noch heruntergeladen.</translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="69"/>
        <source>&amp;Show WaDesk</source>
        <translation>WaDesk &amp;anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="73"/>
        <source>&amp;Pause all clients</source>
        <translation>Alle Clients &amp;pausieren</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="75"/>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation>Die Sendewarteschlange jedes Clients anhalten, bis sie fortgesetzt wird</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="78"/>
        <source>Desktop &amp;notifications</source>
        <translation>Desktop-&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="81"/>
        <source>Show a notification when a message arrives</source>
        <translation>Bei eingehenden Nachrichten eine Benachrichtigung anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="93"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="97"/>
        <source>&amp;Quit WaDesk</source>
        <translation>WaDesk &amp;beenden</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="257"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="291"/>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk läuft im Infobereich weiter. Zum Beenden „WaDesk beenden“ in seinem Menü wählen.</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="323"/>
        <source>New message from %1</source>
        <translation>Neue Nachricht von %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="332"/>
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n ungelesene Nachricht</numerusform>
            <numerusform>WaDesk: %n ungelesene Nachrichten</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="332"/>
        <source>WaDesk: no unread messages</source>
        <translation>WaDesk: keine ungelesenen Nachrichten</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="352"/>
        <location filename="../ui/shell/DesktopShell.cpp" line="362"/>
        <source>Pause all clients</source>
        <translation>Alle Clients pausieren</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="353"/>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>Das Senden auf allen Clients Ihrer Organisation anhalten? Wartende Nachrichten bleiben in der Warteschlange, bis der jeweilige Client fortgesetzt wird.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="358"/>
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
        <location filename="../ui/common/ErrorText.cpp" line="25"/>
        <source>The name must be 1 to 100 characters.</source>
        <translation>Der Name muss 1 bis 100 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="27"/>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation>Der Name der Organisation muss 1 bis 200 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="29"/>
        <source>This is not a valid email address.</source>
        <translation>Das ist keine gültige E-Mail-Adresse.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="31"/>
        <source>The password must be %1 to %2 characters.</source>
        <translation>Das Passwort muss %1 bis %2 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="33"/>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation>Wählen Sie eine Rolle: Administrator, Manager, Agent oder Betrachter.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="35"/>
        <source>The message must not be empty.</source>
        <translation>Die Nachricht darf nicht leer sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="45"/>
        <source>This is not a valid phone number.</source>
        <translation>Das ist keine gültige Telefonnummer.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="47"/>
        <source>You do not have permission to do this.</source>
        <translation>Dazu fehlt Ihnen die Berechtigung.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="49"/>
        <source>You may not manage members with this role.</source>
        <translation>Sie dürfen Mitglieder mit dieser Rolle nicht verwalten.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="51"/>
        <source>It does not exist any more, or you may not see it.</source>
        <translation>Es existiert nicht mehr, oder Sie dürfen es nicht sehen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="53"/>
        <source>Invalid email or password.</source>
        <translation>E-Mail oder Passwort ist falsch.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="55"/>
        <source>The account is disabled.</source>
        <translation>Das Konto ist deaktiviert.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="57"/>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation>Zu viele fehlgeschlagene Anmeldeversuche; versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="59"/>
        <source>A user with this email already exists.</source>
        <translation>Es gibt bereits einen Benutzer mit dieser E-Mail-Adresse.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="61"/>
        <source>The organization needs at least one active admin.</source>
        <translation>Die Organisation braucht mindestens einen aktiven Admin.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="63"/>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation>Sie können weder Ihre eigene Rolle ändern noch sich selbst deaktivieren oder entfernen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="65"/>
        <source>A client with this phone number already exists.</source>
        <translation>Es gibt bereits einen Client mit dieser Telefonnummer.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="67"/>
        <source>The client is not running.</source>
        <translation>Der Client läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="69"/>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation>Der Client ist nicht bereit: Verknüpfen Sie ihn zuerst, indem Sie seinen QR-Code scannen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="71"/>
        <source>The client is paused; resume it to send.</source>
        <translation>Der Client ist pausiert; setzen Sie ihn fort, um zu senden.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="73"/>
        <source>The contact opted out of messages.</source>
        <translation>Der Kontakt hat Nachrichten abbestellt.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="75"/>
        <source>Rate limit reached for this client.</source>
        <translation>Das Sendelimit dieses Clients ist erreicht.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="77"/>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation>WhatsApp-Sitzungen laufen nicht in diesem Prozess.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="79"/>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation>In WaDesk ist ein Fehler aufgetreten; Einzelheiten stehen im Protokoll.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="80"/>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation>Dieser Proxy ist bereits im Pool (gleicher Host, Port und Benutzername).</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/common/ErrorText.cpp" line="83"/>
        <source>%n clients use this proxy: assign them another proxy, or none, before deleting it.</source>
        <translation>
            <numerusform>%n Client nutzt diesen Proxy: Weisen Sie ihm vor dem Löschen einen anderen Proxy oder keinen zu.</numerusform>
            <numerusform>%n Clients nutzen diesen Proxy: Weisen Sie ihnen vor dem Löschen einen anderen Proxy oder keinen zu.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="86"/>
        <source>This proxy already serves its maximum of clients: choose another one or raise its maximum.</source>
        <translation>Dieser Proxy bedient bereits seine Höchstzahl an Clients: Wählen Sie einen anderen oder erhöhen Sie seine Höchstzahl.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="88"/>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation>Kein Proxy ist frei: Jeder ist ausgefallen oder bedient seine Höchstzahl an Clients.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="90"/>
        <source>This client does not allow moving it to another proxy.</source>
        <translation>Dieser Client erlaubt keinen Wechsel auf einen anderen Proxy.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="102"/>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation>Wählen Sie den Proxy-Typ: HTTP oder SOCKS5.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="104"/>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation>Der Host muss ein Hostname oder eine IP-Adresse sein, ohne Leerzeichen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="106"/>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>Der Port muss eine Zahl von 1 bis 65535 sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="108"/>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation>Der Benutzername darf höchstens 255 Bytes lang sein, ohne Steuerzeichen (und ohne „:“ bei einem HTTP-Proxy).</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="110"/>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation>Das Proxy-Passwort darf höchstens 255 Bytes ohne Steuerzeichen lang sein und braucht einen Benutzernamen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="112"/>
        <source>The label must be 1 to 100 characters.</source>
        <translation>Die Bezeichnung muss 1 bis 100 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="114"/>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation>Das Land muss ein zweibuchstabiger Code wie DE oder US sein.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/common/ErrorText.cpp" line="117"/>
        <source>The most clients cannot go below the %n clients using the proxy.</source>
        <translation>
            <numerusform>Die Höchstzahl an Clients darf nicht unter dem %n Client liegen, der den Proxy nutzt.</numerusform>
            <numerusform>Die Höchstzahl an Clients darf nicht unter den %n Clients liegen, die den Proxy nutzen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="118"/>
        <source>The most clients must be a number from 1 to 1000.</source>
        <translation>Die Höchstzahl an Clients muss eine Zahl von 1 bis 1000 sein.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="80"/>
        <source>The file is empty.</source>
        <translation>Die Datei ist leer.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="82"/>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation>Die Datei ist beschädigt, unvollständig oder nicht das, was ihr Typ angibt.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="84"/>
        <source>The file is larger than WaDesk accepts.</source>
        <translation>Die Datei ist größer, als WaDesk annimmt.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="86"/>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation>WhatsApp nimmt diese Art von Datei nicht an. Bilder (JPEG, PNG, WebP), Videos (MP4, 3GP), Audio, PDF, Office-Dokumente und Textdateien können gesendet werden.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="88"/>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation>Der Inhalt der Datei passt nicht zu ihrem angegebenen Typ.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="90"/>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation>Der Medienspeicher der Organisation ist voll: Entfernen Sie Dateien oder bitten Sie einen Admin, das Kontingent zu erhöhen.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="92"/>
        <source>A message waiting to be sent still needs this file.</source>
        <translation>Eine Nachricht, die auf den Versand wartet, braucht diese Datei noch.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="94"/>
        <source>Media storage is not available.</source>
        <translation>Der Medienspeicher ist nicht verfügbar.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="361"/>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="362"/>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Andere Systeme senden und empfangen Nachrichten über die REST-API von WaDesk. Standardmäßig antwortet sie nur auf diesem Computer.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="368"/>
        <source>API address</source>
        <translation>API-Adresse</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="369"/>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="372"/>
        <source>API port</source>
        <translation>API-Port</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="375"/>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="377"/>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>Mir ist bewusst, dass diese Adresse die API im Netzwerk &amp;erreichbar macht</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="379"/>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Bestätigen, dass die API im Netzwerk erreichbar ist</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="381"/>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>Diese Adresse ist von anderen Computern erreichbar. Betreiben Sie WaDesk hinter TLS (einem Reverse-Proxy) und halten Sie API-Schlüssel geheim.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="408"/>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Geben Sie eine IP-Adresse ein, etwa 127.0.0.1 (nur dieser Computer) oder 0.0.0.0 (alle Netzwerke).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="413"/>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 ist keine Loopback-Adresse: Bestätigen Sie, dass die API im Netzwerk erreichbar sein darf, oder verwenden Sie 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="129"/>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="130"/>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Wo WaDesk seine Daten speichert. Die eingebettete Datenbank genügt für einen Computer; mit PostgreSQL können mehrere WaDesk-Instanzen dieselben Daten nutzen.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="133"/>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>&amp;Eingebettete Datenbank (SQLite, empfohlen)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="135"/>
        <source>Embedded SQLite database</source>
        <translation>Eingebettete SQLite-Datenbank</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="138"/>
        <source>File: %1</source>
        <translation>Datei: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="144"/>
        <source>&amp;PostgreSQL server</source>
        <translation>&amp;PostgreSQL-Server</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="146"/>
        <source>PostgreSQL server</source>
        <translation>PostgreSQL-Server</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="152"/>
        <source>PostgreSQL URL</source>
        <translation>PostgreSQL-URL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="155"/>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="157"/>
        <source>Test the PostgreSQL connection</source>
        <translation>Die PostgreSQL-Verbindung testen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="165"/>
        <source>Connection test result</source>
        <translation>Ergebnis des Verbindungstests</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="177"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="217"/>
        <source>Connected.</source>
        <translation>Verbunden.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="180"/>
        <source>The connection failed: %1</source>
        <translation>Die Verbindung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="231"/>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Geben Sie eine URL der Form postgres://benutzer:passwort@host:5432/datenbank ein.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="236"/>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="69"/>
        <source>Your organization</source>
        <translation>Ihre Organisation</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="70"/>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk hält Clients, Nachrichten und Team jeder Organisation getrennt. Legen Sie Ihre Organisation und ihren ersten Administrator an: Sie selbst.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="74"/>
        <source>&amp;Organization:</source>
        <translation>&amp;Organisation:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="74"/>
        <source>Organization name</source>
        <translation>Name der Organisation</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="76"/>
        <source>Your &amp;name:</source>
        <translation>Ihr &amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="76"/>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="78"/>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="78"/>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="81"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="81"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="84"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>mindestens %n Zeichen</numerusform>
            <numerusform>mindestens %n Zeichen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="85"/>
        <source>&amp;Confirm password:</source>
        <translation>Passwort &amp;bestätigen:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="85"/>
        <source>Confirm password</source>
        <translation>Passwort bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="106"/>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Geben Sie den Namen der Organisation ein (höchstens 200 Zeichen).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="108"/>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Geben Sie Ihren Namen ein (höchstens 100 Zeichen).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="110"/>
        <source>Enter a valid email address.</source>
        <translation>Geben Sie eine gültige E-Mail-Adresse ein.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="112"/>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>Das Passwort muss %1 bis %2 Zeichen lang sein.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="116"/>
        <source>The two passwords differ.</source>
        <translation>Die beiden Passwörter unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="249"/>
        <source>Secrets</source>
        <translation>Geheimnisse</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="250"/>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk verschlüsselt seine Geheimnisse mit einem Hauptschlüssel. Wählen Sie, wo er aufbewahrt wird, und sichern Sie ihn zusammen mit der Datenbank.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="253"/>
        <source>The system &amp;keychain</source>
        <translation>Der &amp;Schlüsselbund des Systems</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="255"/>
        <source>Keep the master key in the system keychain</source>
        <translation>Den Hauptschlüssel im Schlüsselbund des Systems aufbewahren</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="258"/>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>Eine nur für Sie lesbare Schlüssel&amp;datei (%1)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="261"/>
        <source>Keep the master key in a key file</source>
        <translation>Den Hauptschlüssel in einer Schlüsseldatei aufbewahren</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="263"/>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>Die &amp;Umgebungsvariable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="265"/>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Den Hauptschlüssel aus WADESK_MASTER_KEY nehmen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="271"/>
        <source>Keychain check result</source>
        <translation>Ergebnis der Schlüsselbund-Prüfung</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="273"/>
        <source>Check the keychain &amp;again</source>
        <translation>Schlüsselbund &amp;erneut prüfen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="275"/>
        <source>Check the system keychain again</source>
        <translation>Den Schlüsselbund des Systems erneut prüfen</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="286"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="298"/>
        <source>Checking the system keychain…</source>
        <translation>Prüfe den Schlüsselbund des Systems…</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="316"/>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>Der Schlüsselbund des Systems funktioniert hier: Er ist der empfohlene Ort.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="319"/>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>Ein Schlüsselbund ist vorhanden, verweigert aber den Zugriff (%1). Entsperren Sie ihn und prüfen Sie erneut, oder verwenden Sie eine Schlüsseldatei.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="323"/>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>Hier ist kein Schlüsselbund verfügbar (%1): Stattdessen wird die Schlüsseldatei verwendet. Bewahren Sie eine Sicherung davon auf.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="324"/>
        <source>no Secret Service or KWallet</source>
        <translation>kein Secret Service und kein KWallet</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="328"/>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY ist in der Umgebung gesetzt: Solange sie gesetzt ist, hat sie Vorrang.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="428"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="429"/>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Noch wurde nichts geschrieben. Mit „Fertigstellen“ werden die Organisation angelegt und diese Einstellungen gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="436"/>
        <source>Summary of the choices</source>
        <translation>Zusammenfassung der Auswahl</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="458"/>
        <source>PostgreSQL: %1</source>
        <translation>PostgreSQL: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="459"/>
        <source>SQLite: %1</source>
        <translation>SQLite: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="462"/>
        <source>the system keychain</source>
        <translation>der Schlüsselbund des Systems</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="464"/>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>die Umgebungsvariable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="466"/>
        <source>key file %1</source>
        <translation>Schlüsseldatei %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="469"/>
        <source>(exposed to the network)</source>
        <translation>(im Netzwerk erreichbar)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="470"/>
        <source>Organization</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="471"/>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>Master key</source>
        <translation>Hauptschlüssel</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>REST API</source>
        <translation>REST-API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="473"/>
        <source>Settings file</source>
        <translation>Einstellungsdatei</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="479"/>
        <source>Creating the organization and saving the settings…</source>
        <translation>Lege die Organisation an und speichere die Einstellungen…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="38"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="492"/>
        <source>Welcome to %1</source>
        <translation>Willkommen bei %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="576"/>
        <source>WaDesk could not be set up: %1</source>
        <translation>WaDesk konnte nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="603"/>
        <source>WaDesk is ready</source>
        <translation>WaDesk ist bereit</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="604"/>
        <source>The organization %1 and its administrator %2 were created. Sign in next.</source>
        <translation>Die Organisation %1 und ihr Administrator %2 wurden angelegt. Melden Sie sich als Nächstes an.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="606"/>
        <source>The organization&apos;s first API key is shown below, this once only. Copy it now if an integration needs it; you can create others later.</source>
        <translation>Der erste API-Schlüssel der Organisation wird unten angezeigt, nur dieses eine Mal. Kopieren Sie ihn jetzt, falls eine Integration ihn braucht; weitere können Sie später anlegen.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="50"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="63"/>
        <source>WhatsApp clients</source>
        <translation>WhatsApp-Clients</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="72"/>
        <source>Selected client</source>
        <translation>Ausgewählter Client</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="76"/>
        <source>&amp;WhatsApp</source>
        <translation>&amp;WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="77"/>
        <source>C&amp;onversations</source>
        <translation>&amp;Unterhaltungen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="78"/>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation>Die laufende WhatsApp-Web-Seite des Clients (Strg+1)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="79"/>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation>Kontakte, Nachrichten und Senden (Strg+2)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="146"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="154"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="159"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="163"/>
        <source>&amp;Find Contact</source>
        <translation>Kontakt &amp;suchen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="171"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="173"/>
        <source>&amp;WhatsApp Page</source>
        <translation>&amp;WhatsApp-Seite</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="176"/>
        <source>&amp;Conversations</source>
        <translation>&amp;Unterhaltungen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="179"/>
        <source>Client &amp;List</source>
        <translation>Client&amp;liste</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="183"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="187"/>
        <source>Main Toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="197"/>
        <source>&amp;Client</source>
        <translation>&amp;Client</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="208"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="210"/>
        <source>&amp;About WaDesk</source>
        <translation>&amp;Über WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="213"/>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="228"/>
        <source>&amp;Team…</source>
        <translation>&amp;Team…</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="231"/>
        <source>Add team members, change their roles and assign clients</source>
        <translation>Teammitglieder hinzufügen, ihre Rollen ändern und Clients zuweisen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="268"/>
        <source>Secrets: %1</source>
        <translation>Geheimnisse: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="279"/>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="284"/>
        <source>checking</source>
        <translation>wird geprüft</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="292"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="294"/>
        <source>degraded (HTTP %1)</source>
        <translation>eingeschränkt (HTTP %1)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="296"/>
        <source>not answering</source>
        <translation>antwortet nicht</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="304"/>
        <source>API: off</source>
        <translation>API: aus</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="304"/>
        <source>API: %1 (%2)</source>
        <translation>API: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="313"/>
        <source>Ready: %1 of %2</source>
        <translation>Bereit: %1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="314"/>
        <source>Clients whose WhatsApp session is ready, of the clients you see</source>
        <translation>Clients mit bereiter WhatsApp-Sitzung, von den für Sie sichtbaren Clients</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="361"/>
        <source>Show &amp;WhatsApp Page</source>
        <translation>&amp;WhatsApp-Seite anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="362"/>
        <source>Show &amp;Conversations</source>
        <translation>U&amp;nterhaltungen anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="381"/>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Betreibt die WhatsApp-Sitzungen eines Teams, mit REST-API und signierten Webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (gebaut mit %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="385"/>
        <source>(not loaded)</source>
        <translation>(nicht geladen)</translation>
    </message>
    <message>
        <source>WaDesk is running. The REST API listens on %1.</source>
        <translation type="vanished">WaDesk läuft. Die REST-API lauscht auf %1.</translation>
    </message>
    <message>
        <source>API: %1</source>
        <translation type="vanished">API: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="266"/>
        <source>Database: %1</source>
        <translation>Datenbank: %1</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</source>
        <translation type="vanished">&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Betreibt die WhatsApp-Sitzungen eines Teams, mit REST-API und signierten Webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (gebaut mit %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="390"/>
        <source>About WaDesk</source>
        <translation>Über WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="239"/>
        <source>&amp;Proxies</source>
        <translation>&amp;Proxys</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="243"/>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation>Der Proxy-Pool: die eigene Adresse jedes Clients, ihr Zustand und welcher Client welchen nutzt</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="244"/>
        <source>Proxies (Ctrl+3)</source>
        <translation>Proxys (Strg+3)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="251"/>
        <source>Assign &amp;Proxy…</source>
        <translation>&amp;Proxy zuweisen…</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="253"/>
        <source>Choose the proxy the selected client uses</source>
        <translation>Den Proxy des ausgewählten Clients wählen</translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="42"/>
        <source>Media storage: %1</source>
        <translation>Medienspeicher: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="46"/>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation>Medienspeicher: %1 von %2 (%3 %)</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="82"/>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation>Für Ihre Organisation gespeicherte Dateien (jede Datei einmal gezählt), von ihrem Kontingent</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="43"/>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation>Medienspeicher: %1 von %2 (unter %3 %)</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent</source>
        <translation>Nicht gesendet</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent: %1</source>
        <translation>Nicht gesendet: %1</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="103"/>
        <source>%1 — not downloaded</source>
        <translation>%1 — nicht heruntergeladen</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="106"/>
        <source>%1 — the file is no longer stored</source>
        <translation>%1 — die Datei ist nicht mehr gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="109"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="103"/>
        <source>%1 — downloading…</source>
        <translation>%1 — wird heruntergeladen…</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="28"/>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="30"/>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="32"/>
        <source>Sent</source>
        <translation>Gesendet</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="34"/>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="36"/>
        <source>Read</source>
        <translation>Gelesen</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="38"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="40"/>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="63"/>
        <source>Sent by you at %1, %2: %3</source>
        <translation>Von Ihnen gesendet am %1, %2: %3</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="64"/>
        <source>Received at %1: %2</source>
        <translation>Empfangen am %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="66"/>
        <source> (failed: %1)</source>
        <translation> (fehlgeschlagen: %1)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="56"/>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="58"/>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="60"/>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="62"/>
        <source>Voice message</source>
        <translation>Sprachnachricht</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="64"/>
        <source>Document</source>
        <translation>Dokument</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="66"/>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="68"/>
        <source>Location</source>
        <translation>Standort</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="70"/>
        <source>Contact card</source>
        <translation>Kontaktkarte</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="71"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="145"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="146"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="157"/>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="159"/>
        <source> (the file was not downloaded)</source>
        <translation> (die Datei wurde nicht heruntergeladen)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="161"/>
        <source> (the file is no longer stored)</source>
        <translation> (die Datei ist nicht mehr gespeichert)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="59"/>
        <source>Deleted message</source>
        <translation>Gelöschte Nachricht</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="152"/>
        <source> (the file is being downloaded)</source>
        <translation> (die Datei wird heruntergeladen)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="154"/>
        <source> (the file was not downloaded: %1)</source>
        <translation> (die Datei wurde nicht heruntergeladen: %1)</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="37"/>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxys sind nicht verfügbar: WaDesk läuft ohne seinen Schlüsselspeicher.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="90"/>
        <source>Proxies</source>
        <translation>Proxys</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="96"/>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation>Jeder Client kann WhatsApp über einen Proxy dieses Pools von seiner eigenen Adresse aus erreichen. Ein Client behält seinen Proxy; fällt der Proxy aus, wartet der Client, statt sich direkt zu verbinden.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="118"/>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation>Noch keine Proxys. Fügen Sie einen hinzu, damit jede Nummer ihre eigene Adresse bekommt.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>&amp;Add Proxy…</source>
        <translation>Proxy &amp;hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>Add proxy</source>
        <translation>Proxy hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>Add a proxy to the pool</source>
        <translation>Einen Proxy zum Pool hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>Edit proxy</source>
        <translation>Proxy bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>Change the selected proxy</source>
        <translation>Den ausgewählten Proxy ändern</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="138"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="138"/>
        <source>Delete proxy</source>
        <translation>Proxy löschen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="139"/>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation>Den ausgewählten Proxy aus dem Pool entfernen (nur wenn ihn kein Client nutzt)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="141"/>
        <source>A&amp;ssign to Client…</source>
        <translation>Einem Client &amp;zuweisen…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="141"/>
        <source>Assign proxy to a client</source>
        <translation>Proxy einem Client zuweisen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="142"/>
        <source>Choose the proxy a client uses</source>
        <translation>Den Proxy eines Clients wählen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>&amp;Test Now</source>
        <translation>Jetzt &amp;testen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Test proxy now</source>
        <translation>Proxy jetzt testen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="144"/>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation>Eine Prüfung auf Anforderung gibt es in dieser Version nicht; der angezeigte Zustand stammt aus den regelmäßigen Prüfungen.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="165"/>
        <source>Proxies error</source>
        <translation>Proxy-Fehler</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="286"/>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation>Admins fügen Proxys hinzu, ändern und löschen sie; Sie können sie Clients zuweisen.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="375"/>
        <source>Added the proxy %1.</source>
        <translation>Proxy %1 hinzugefügt.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="375"/>
        <source>Saved the proxy %1.</source>
        <translation>Proxy %1 gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="386"/>
        <source>Delete the proxy %1 (%2)?</source>
        <translation>Den Proxy %1 (%2) löschen?</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/proxies/ProxiesView.cpp" line="389"/>
        <source>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</source>
        <translation>
            <numerusform>Er ist %n Client zugewiesen: Ein genutzter Proxy kann nicht gelöscht werden. Weisen Sie diesem Client zuerst einen anderen Proxy (oder keinen) zu.</numerusform>
            <numerusform>Er ist %n Clients zugewiesen: Ein genutzter Proxy kann nicht gelöscht werden. Weisen Sie diesen Clients zuerst einen anderen Proxy (oder keinen) zu.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="412"/>
        <source>Deleted the proxy %1.</source>
        <translation>Proxy %1 gelöscht.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="462"/>
        <source>The client now uses the proxy %1.</source>
        <translation>Der Client nutzt jetzt den Proxy %1.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="463"/>
        <source>The client now connects without a proxy.</source>
        <translation>Der Client verbindet sich jetzt ohne Proxy.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation>Den gewählten Proxy jetzt prüfen: durch ihn verbinden und die Zeit messen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>%1 is reachable (%2 ms).</source>
        <translation>%1 ist erreichbar (%2 ms).</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>%1 is unreachable: %2</source>
        <translation>%1 ist nicht erreichbar: %2</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft …</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="27"/>
        <source>Add proxy</source>
        <translation>Proxy hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="29"/>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="31"/>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="40"/>
        <source>Edit proxy</source>
        <translation>Proxy bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="42"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="43"/>
        <source>Save proxy</source>
        <translation>Proxy speichern</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="51"/>
        <source>leave empty to keep</source>
        <translation>leer lassen, um es zu behalten</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="62"/>
        <source>Proxy type</source>
        <translation>Proxy-Typ</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="67"/>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="69"/>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation>proxy.example.com oder 203.0.113.7</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="72"/>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="79"/>
        <source>Username</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="84"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="87"/>
        <source>Remo&amp;ve the stored password</source>
        <translation>Gespeichertes Passwort &amp;entfernen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="89"/>
        <source>Remove the stored password</source>
        <translation>Gespeichertes Passwort entfernen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="93"/>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="95"/>
        <source>host:port when empty</source>
        <translation>Host:Port, wenn leer</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="98"/>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="100"/>
        <source>DE, US, … (optional)</source>
        <translation>DE, US, … (optional)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="101"/>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation>Der zweibuchstabige Ländercode des Proxy-Ausgangs. Der Browser eines Clients übernimmt daraus Zeitzone und Sprachen, wenn seine Identität keine festlegt.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="105"/>
        <source>Most clients</source>
        <translation>Höchstzahl an Clients</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="108"/>
        <source>How many clients may use this proxy at most</source>
        <translation>Wie viele Clients diesen Proxy höchstens nutzen dürfen</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="109"/>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="110"/>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="111"/>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="112"/>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="113"/>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;wort:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="115"/>
        <source>&amp;Label:</source>
        <translation>Be&amp;zeichnung:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="116"/>
        <source>&amp;Country:</source>
        <translation>&amp;Land:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="117"/>
        <source>&amp;Most clients:</source>
        <translation>&amp;Höchstzahl an Clients:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="119"/>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation>Jeder Client behält seinen Proxy; WaDesk wechselt nie Adressen. Das Passwort wird verschlüsselt gespeichert und nie wieder angezeigt.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="126"/>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="135"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="42"/>
        <source>Healthy (%1 ms)</source>
        <translation>Funktioniert (%1 ms)</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="42"/>
        <source>Healthy</source>
        <translation>Funktioniert</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="44"/>
        <source>Unreachable</source>
        <translation>Nicht erreichbar</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="44"/>
        <source>Unreachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="48"/>
        <source>Not checked yet</source>
        <translation>Noch nicht geprüft</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="54"/>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="55"/>
        <source>SOCKS5</source>
        <translation>SOCKS5</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="80"/>
        <source>Never</source>
        <translation>Nie</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="81"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="104"/>
        <source>%1
since %2</source>
        <translation>%1
seit %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="107"/>
        <source>%1
Exit address: %2</source>
        <translation>%1
Ausgangsadresse: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="110"/>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation>%1, %2 %3, %4 Clients, %5</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="133"/>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="134"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="135"/>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="136"/>
        <source>Country</source>
        <translation>Land</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="137"/>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="138"/>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="139"/>
        <source>Last checked</source>
        <translation>Zuletzt geprüft</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="165"/>
        <source>Your role may not see the proxies.</source>
        <translation>Ihre Rolle darf die Proxys nicht sehen.</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="167"/>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxys sind nicht verfügbar: WaDesk läuft ohne seinen Schlüsselspeicher.</translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="34"/>
        <source>Sending limits</source>
        <translation>Sendelimits</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="105"/>
        <source>Limits unavailable: %1</source>
        <translation>Limits nicht verfügbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="116"/>
        <source>%1: %2/%3</source>
        <translation>%1: %2/%3</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="117"/>
        <source>%1 used %2 of %3</source>
        <translation>%1: %2 von %3 genutzt</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="122"/>
        <source>Minute</source>
        <translation>Minute</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="123"/>
        <source>Hour</source>
        <translation>Stunde</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="124"/>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="126"/>
        <source>Queue: %n</source>
        <translation>
            <numerusform>Warteschlange: %n</numerusform>
            <numerusform>Warteschlange: %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="129"/>
        <source>(last leaves about %1)</source>
        <translation>(letzte geht etwa um %1 raus)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="134"/>
        <source>Sending paused</source>
        <translation>Senden pausiert</translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="70"/>
        <source>Rename client</source>
        <translation>Client umbenennen</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="76"/>
        <source>New name</source>
        <translation>Neuer Name</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="78"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="81"/>
        <source>&amp;Rename</source>
        <translation>&amp;Umbenennen</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <location filename="../ui/clients/ClientListDelegate.cpp" line="85"/>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/clients/ClientListDelegate.cpp" line="87"/>
        <source>%n queued</source>
        <translation>
            <numerusform>%n wartend</numerusform>
            <numerusform>%n wartend</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientListDelegate.cpp" line="102"/>
        <source>no number linked</source>
        <translation>keine Nummer verknüpft</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="46"/>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="47"/>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="48"/>
        <source>Scan QR</source>
        <translation>QR scannen</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="49"/>
        <source>Linking</source>
        <translation>Wird verknüpft</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="50"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="51"/>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="52"/>
        <source>Logged out</source>
        <translation>Abgemeldet</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="53"/>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="54"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="68"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="76"/>
        <source>%1, %2, %3</source>
        <translation>%1, %2, %3</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="76"/>
        <source>no number linked</source>
        <translation>keine Nummer verknüpft</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/ClientListModel.cpp" line="78"/>
        <source>, %n unread</source>
        <translation>
            <numerusform>, %n ungelesen</numerusform>
            <numerusform>, %n ungelesen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/ClientListModel.cpp" line="80"/>
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n wartend</numerusform>
            <numerusform>, %n wartend</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="82"/>
        <source>, queue paused</source>
        <translation>, Warteschlange pausiert</translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="139"/>
        <source>No client selected</source>
        <translation>Kein Client ausgewählt</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="159"/>
        <source>Session state: %1</source>
        <translation>Sitzungsstatus: %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="164"/>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the code below.</source>
        <translation>Öffnen Sie auf dem Telefon WhatsApp → Einstellungen → Verknüpfte Geräte → Gerät hinzufügen und scannen Sie den Code unten.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="165"/>
        <source>Waiting for an operator to link this number.</source>
        <translation>Warten darauf, dass ein Bediener diese Nummer verknüpft.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="167"/>
        <source>The code expired: click &quot;Reload the QR code&quot; on the page.</source>
        <translation>Der Code ist abgelaufen: Klicken Sie auf der Seite auf „QR-Code neu laden“.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="175"/>
        <source>Linked to %1</source>
        <translation>Verknüpft mit %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="197"/>
        <source>Select a client on the left.</source>
        <translation>Wählen Sie links einen Client aus.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="199"/>
        <source>This client is waiting to be linked by an operator.</source>
        <translation>Dieser Client wartet darauf, von einem Bediener verknüpft zu werden.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="201"/>
        <source>The session of this client is starting.</source>
        <translation>Die Sitzung dieses Clients wird gestartet.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="203"/>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation>Die Sitzung ist fehlgeschlagen: %1
Starten Sie sie über das Menü „Client“ erneut.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="206"/>
        <source>The session of this client is not running.</source>
        <translation>Die Sitzung dieses Clients läuft nicht.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="213"/>
        <source>WhatsApp Web of %1</source>
        <translation>WhatsApp Web von %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="129"/>
        <source>Proxy: unknown</source>
        <translation>Proxy: unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="132"/>
        <source>No proxy</source>
        <translation>Kein Proxy</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="133"/>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation>Dieser Client verbindet sich direkt mit WhatsApp. Weisen Sie ihm in der Proxy-Ansicht einen Proxy zu.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="139"/>
        <source>Proxy: %1 · %2</source>
        <translation>Proxy: %1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="140"/>
        <source>%1 proxy at %2</source>
        <translation>%1-Proxy unter %2</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="142"/>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation>Darf bei Ausfall auf einen anderen funktionierenden Proxy wechseln.</translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="41"/>
        <source>Sign in to %1</source>
        <translation>Bei %1 anmelden</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="46"/>
        <source>Sign in with your WaDesk account.</source>
        <translation>Melden Sie sich mit Ihrem WaDesk-Konto an.</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="52"/>
        <source>Email address</source>
        <translation>E-Mail-Adresse</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="55"/>
        <source>&amp;Email:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="58"/>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="61"/>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="65"/>
        <source>Sign-in error</source>
        <translation>Anmeldefehler</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="72"/>
        <source>&amp;Sign in</source>
        <translation>&amp;Anmelden</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="74"/>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="76"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="78"/>
        <source>Quit WaDesk</source>
        <translation>WaDesk beenden</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="138"/>
        <source>Enter your email address.</source>
        <translation>Geben Sie Ihre E-Mail-Adresse ein.</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="140"/>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Passwort ein.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/signin/SignInDialog.cpp" line="145"/>
        <location filename="../ui/signin/SignInDialog.cpp" line="179"/>
        <source>Too many attempts, try again in %n s</source>
        <translation>
            <numerusform>Zu viele Versuche, erneut versuchen in %n s</numerusform>
            <numerusform>Zu viele Versuche, erneut versuchen in %n s</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="146"/>
        <location filename="../ui/signin/SignInDialog.cpp" line="180"/>
        <source>Signing in failed: %1</source>
        <translation>Die Anmeldung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="177"/>
        <source>Invalid email or password</source>
        <translation>E-Mail oder Passwort ungültig</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="35"/>
        <location filename="../ui/team/TeamDialog.cpp" line="259"/>
        <source>Your role may not manage the team.</source>
        <translation>Ihre Rolle darf das Team nicht verwalten.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="49"/>
        <source>Team</source>
        <translation>Team</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="53"/>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation>Die Mitglieder Ihrer Organisation. Administratoren verwalten alle; Manager verwalten Agenten und Betrachter. Agenten und Betrachter sehen nur die ihnen zugewiesenen Clients.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="62"/>
        <source>Team members</source>
        <translation>Teammitglieder</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="77"/>
        <source>&amp;Add Member…</source>
        <translation>Mitglied &amp;hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="79"/>
        <source>Add member</source>
        <translation>Mitglied hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="80"/>
        <source>Create an account for a new team member</source>
        <translation>Ein Konto für ein neues Teammitglied anlegen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="86"/>
        <source>New role for the selected member</source>
        <translation>Neue Rolle für das ausgewählte Mitglied</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="91"/>
        <source>R&amp;ole:</source>
        <translation>&amp;Rolle:</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="93"/>
        <source>&amp;Change Role</source>
        <translation>Rolle ä&amp;ndern</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="95"/>
        <source>Change role</source>
        <translation>Rolle ändern</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="96"/>
        <source>Give the selected member the role chosen above</source>
        <translation>Dem ausgewählten Mitglied die oben gewählte Rolle geben</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="98"/>
        <location filename="../ui/team/TeamDialog.cpp" line="251"/>
        <source>&amp;Deactivate</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="100"/>
        <location filename="../ui/team/TeamDialog.cpp" line="252"/>
        <source>Deactivate member</source>
        <translation>Mitglied deaktivieren</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="102"/>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="104"/>
        <source>Remove member</source>
        <translation>Mitglied entfernen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="105"/>
        <source>Delete the selected member&apos;s account</source>
        <translation>Das Konto des ausgewählten Mitglieds löschen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="114"/>
        <source>Assigned c&amp;lients</source>
        <translation>&amp;Zugewiesene Clients</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="124"/>
        <source>Assigned clients</source>
        <translation>Zugewiesene Clients</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="125"/>
        <source>Tick the clients this member may see</source>
        <translation>Kreuzen Sie die Clients an, die dieses Mitglied sehen darf</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="135"/>
        <source>Team error</source>
        <translation>Teamfehler</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="142"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="251"/>
        <source>Ac&amp;tivate</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="252"/>
        <source>Activate member</source>
        <translation>Mitglied aktivieren</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="253"/>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation>Das ausgewählte Mitglied an der Anmeldung hindern (umkehrbar)</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="254"/>
        <source>Let the selected member sign in again</source>
        <translation>Dem ausgewählten Mitglied die Anmeldung wieder erlauben</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="261"/>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation>Das sind Sie: Sie können weder Ihre eigene Rolle ändern noch sich selbst deaktivieren oder entfernen.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="263"/>
        <source>Managers can only manage agents and viewers.</source>
        <translation>Manager können nur Agenten und Betrachter verwalten.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="274"/>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation>Wählen Sie einen Agenten oder Betrachter aus, um festzulegen, welche Clients er sieht.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="279"/>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation>%1 ist Administrator: Administratoren sehen alle Clients der Organisation.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="280"/>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation>%1 ist Manager: Manager sehen alle Clients der Organisation.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="287"/>
        <source>The assignments could not be read.</source>
        <translation>Die Zuweisungen konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="292"/>
        <source>The clients could not be read.</source>
        <translation>Die Clients konnten nicht gelesen werden.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="321"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="341"/>
        <source>The organization has no clients yet.</source>
        <translation>Die Organisation hat noch keine Clients.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/team/TeamDialog.cpp" line="342"/>
        <source>The clients %1 sees (%2 of %n):</source>
        <translation>
            <numerusform>Die Clients, die %1 sieht (%2 von %n):</numerusform>
            <numerusform>Die Clients, die %1 sieht (%2 von %n):</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="430"/>
        <source>Remove team member</source>
        <translation>Teammitglied entfernen</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="431"/>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation>%1 (%2) aus dem Team entfernen? Die Person kann sich danach nicht mehr anmelden.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="516"/>
        <source>The password could not be hashed.</source>
        <translation>Das Passwort konnte nicht gehasht werden.</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="35"/>
        <source>Admin</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="36"/>
        <source>Manager</source>
        <translation>Manager</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="37"/>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="38"/>
        <source>Viewer</source>
        <translation>Betrachter</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="55"/>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="55"/>
        <source>Deactivated</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="59"/>
        <source>%1 (you)</source>
        <translation>%1 (Sie)</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="66"/>
        <source>%1, %2, %3, %4</source>
        <translation>%1, %2, %3, %4</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="88"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="89"/>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="90"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="91"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="115"/>
        <source>Your role may not manage the team.</source>
        <translation>Ihre Rolle darf das Team nicht verwalten.</translation>
    </message>
</context>
</TS>
