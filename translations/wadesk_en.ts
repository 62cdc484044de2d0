<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AutoReplyRuleListModel</name>
    <message>
        <source>Keyword</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Away (outside business hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome (first message)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contains</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n business-hour window(s), %1 holiday(s)</source>
        <translation>
            <numerusform>%n business-hour window, holidays: %1</numerusform>
            <numerusform>%n business-hour windows, holidays: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>A contact&apos;s first message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Daily volume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery and read rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First response times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Busiest hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0–1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1–4 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4–8 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8–24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>24 h +</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2, messages sent and received)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk report · page %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No rows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk report: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messaging report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Range: %1 (days in %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per team member (messages they wrote)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forever</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QuickReplyListModel</name>
    <message>
        <source>Shortcut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplateListModel</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variables</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AccountDialog</name>
    <message>
        <source>My Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in as %1 &lt;%2&gt;, %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change your password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;hange Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete a client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deletes the client with its session, messages and queue. You are asked to confirm.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client to delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete client error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password and its repetition differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new password is the current one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your account no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password changed. Use the new one the next time you sign in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clients</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <source>Add client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Front desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+14155552671 (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AddMemberDialog</name>
    <message>
        <source>Add team member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>at least %n character</numerusform>
            <numerusform>at least %n characters</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial &amp;password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AddWebhookDialog</name>
    <message>
        <source>Add Webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Events to send:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events to send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events, including those added later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The signing secret is shown once, after the webhook is added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add webhook error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeyListModel</name>
    <message>
        <source>Revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, key %2, last used %3, expires %4, %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to manage API keys.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeysDialog</name>
    <message>
        <source>API Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys for the REST API. Each key acts with its owner&apos;s role; as an admin you see every key of the organization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your keys for the REST API. Each key acts with your role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Create…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a key; it is shown once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the selected key from working, for good</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API keys error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No API keys yet. Use Create… to make one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the key a name of 1 to 100 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API Key Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; is below. Send it in the X-API-Key header.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke the key &quot;%1&quot; (%2…%3)? Programs using it stop working at once; this cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <source>Assign proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (the least used healthy proxy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proxy (connect directly)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow failover to another proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <source>The file is no longer stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The stored file could not be read whole.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No temporary folder could be made: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogDialog</name>
    <message>
        <source>Audit Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Member:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show entries by member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ction:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show entries with action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resource:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show entries about resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit to entries from a date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limit to entries up to a date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details of the selected entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an entry to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chain verification result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verify Chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that no entry was edited, removed or added behind the log&apos;s back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the entries shown as a CSV file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entry: %1 (#%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource: %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hash: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries shown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(the newest %1; narrow the dates to see older ones)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chain intact. Entries checked: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chain broken at entry #%1 (%2): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Audit Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries exported: %1, to %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogModel</name>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 by %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AutoReplyRuleDialog</name>
    <message>
        <source>Edit Auto-reply Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New Auto-reply Rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every client of the organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Applies to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Match mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Match:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keywords, one a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One word, phrase or pattern a line; case and accents are ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>K&amp;eywords:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Business hours (the away message is sent outside them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closes at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Holidays</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2026-12-25, 2027-01-01</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Holidays:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reply:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most once per contact within, in minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the kind&apos;s default (a day; 5 minutes for keywords)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Once per contact &amp;within:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rules with a lower number are tried first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::AutomationDialog</name>
    <message>
        <source>Templates and Replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No templates yet. A template is a message with variables such as {{name}}, filled in for each contact of a campaign. Add one with Add….</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No quick replies yet. A quick reply is a saved text: type / and its shortcut in the composer to insert it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No auto-reply rules yet. A rule answers a keyword, messages outside business hours or a first-time contact by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quick Replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Auto-replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates and replies error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto-reply rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignDetailDialog</name>
    <message>
        <source>Campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show recipients by status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All recipients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export Campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignListModel</name>
    <message>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignRecipientModel</name>
    <message>
        <source>Phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignWizard</name>
    <message>
        <source>New Campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who receives the campaign, and from which client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client that sends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone &amp;numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contacts with &amp;tags (any of them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A saved &amp;segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact &amp;ids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone numbers, one a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+14155550100
+14155550101</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags, separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vip, newsletter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact ids, one a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audience error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The text every recipient receives, or a template filled in for each</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;emplate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sample contact for the preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Te&amp;mplate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preview for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When it starts, when it may send, and how much a day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start &amp;at:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send only within a &amp;window (the organization&apos;s time zone)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window opens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window closes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hours:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages per day at most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-day &amp;cap:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check what will be sent; Create stores the campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n recipient(s)</source>
        <translation>
            <numerusform>%n recipient</numerusform>
            <numerusform>%n recipients</numerusform>
        </translation>
    </message>
    <message>
        <source>There is no template yet: write the text instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(No value for {{%1}}: recipients without one are skipped.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipients: %1 (duplicates and opted-out contacts are skipped at the start)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts: now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window: %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At most %1 a day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated finish: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignsDialog</name>
    <message>
        <source>Campaigns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New Campaign…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel Campaign…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Details…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel Campaign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No campaign on the clients assigned to you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <source>Your role may not manage clients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a WhatsApp client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;name Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename the selected client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the selected client&apos;s session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlink the selected client&apos;s phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold the selected client&apos;s send queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session could not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out of WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n queued</numerusform>
            <numerusform>%n queued</numerusform>
        </translation>
    </message>
    <message>
        <source>no number linked</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan QR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no number linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>, %n unread</source>
        <translation>
            <numerusform>, %n unread</numerusform>
            <numerusform>, %n unread</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n queued</numerusform>
            <numerusform>, %n queued</numerusform>
        </translation>
    </message>
    <message>
        <source>, queue paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, runs on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · Runs on %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <source>&amp;To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone number, e.g. +14155552671</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipient phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Try again in %n second(s).</source>
        <translation>
            <numerusform>Try again in %n second.</numerusform>
            <numerusform>Try again in %n seconds.</numerusform>
        </translation>
    </message>
    <message>
        <source>Queued.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only files can be attached; %1 is not one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clipboard holds no image that can be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image could not be encoded as PNG.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attachment: %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 can no longer be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message was not sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message was not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactEditDialog</name>
    <message>
        <source>Edit Contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>vip, spain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separated by commas; each 1 to 50 characters, without quotes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Opted out: send this contact nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opted out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactImportDialog</name>
    <message>
        <source>semicolon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import Contacts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Choose File…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No file chosen. Choose a CSV file with a header row: a phone column, and name, tags or any other columns (they become the contact&apos;s attributes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delimiter:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delimiter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default &amp;region:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The country (two letters, such as US or DE) of numbers written without +country code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file&apos;s first rows and what each column becomes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;ncel Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows that were skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;opy Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save Report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Import Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The report could not be written to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt *.tsv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 KB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(found: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is empty or its first row is not CSV: it needs a header row.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import column %1 as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attribute &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the column that holds the phone numbers (&quot;Phone number&quot; above it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The default region is a country&apos;s two letters, such as US or DE (or empty when every number has its +country code).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The import stopped without a report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled: no contact was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) read: </source>
        <translation>
            <numerusform>%n row read: </numerusform>
            <numerusform>%n rows read: </numerusform>
        </translation>
    </message>
    <message>
        <source>%1 contact(s) created, %2 updated, %3 skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the first %1 skipped rows are listed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactListModel</name>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, tags: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactPageModel</name>
    <message>
        <source>Opted out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receives messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, tags: %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to see the contacts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactsDialog</name>
    <message>
        <source>Contacts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name or number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the name, tags and opt-out of the selected contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contacts error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No contact matches &quot;%1&quot;. Try part of the name or a few digits of the number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add or update contacts from a CSV file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No contacts yet. A contact appears here when a client sends to or hears from a number, or when contacts are imported (Import…, or through the API).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationDelegate</name>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (opted out)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationListModel</name>
    <message>
        <source>Photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, %1 unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role can read conversations but not send messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a client to see its conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of this message was not downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of this message is no longer stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This message has no file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No application opens %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save attachment as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file of this message is still being downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search conversations and messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search conversations by name or number, and messages by their text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages that match the search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send &amp;read receipts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send read receipts to WhatsApp when a conversation is opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name (Enter saves, Esc cancels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the contact&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-out state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No message contains “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matching messages: the newest %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matching messages: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a conversation first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This number has no conversation with the client yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No conversations yet: write to a number below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a conversation, or write to a new number below.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::CreateApiKeyDialog</name>
    <message>
        <source>Create API Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key acts with your role. It is shown once, after it is created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What uses the key, e.g. CRM sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xpires on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expiry date and time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create API key error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::DashboardView</name>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the figures again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avg. first response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per team member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outbound messages each member wrote and the conversations they answered (messages written on the phone have no author and are in no row)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View as &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the Dashboard as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-client table as &amp;CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-member table as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-day table as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a table as CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” as PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a chart as PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report as &amp;PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the report as PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the figures…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the figures: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2 · days in %3 · updated %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in total, in and out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing sent in the range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>median %1 · %2 of %3 answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no conversation answered in the range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>local time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The figures could not be read (%1).
The Dashboard tries again with the next message, or use Refresh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No WhatsApp clients yet.
Add one with File → Add Client, link its phone, and the daily volume, delivery and read rates, response times and busiest hours of its messages appear here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No WhatsApp clients are assigned to you yet.
Once an admin assigns you clients, the daily volume, rates, response times and busiest hours of their messages appear here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No messages were sent or received %1 %2.
The daily volume, delivery and read rates, response times and busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
(Only %1 is shown: choose All clients to see the others.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no clients to run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp sessions ready now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>accepted, waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::DeleteClientDialog</name>
    <message>
        <source>Delete Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting %1 cannot be undone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Its WhatsApp session, running now, stops, and this computer&apos;s link to the number is removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• This computer&apos;s link to the number is removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp stays on the phone; the number can be linked to a new client later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Every message of this client is deleted: its whole history and its conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Messages queued now and never to be sent: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Nothing is queued now; anything queued until then is never sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>• Its rate limits, proxy assignment and team members&apos; assignments to it go too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The audit log keeps a record of the deletion.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the client&apos;s name, %1, to confirm:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client name to confirm the deletion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::DeliveryLogModel</name>
    <message>
        <source>Pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead letter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, %3, attempts: %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <source>&amp;Show WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause all clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show a notification when a message arrives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n unread message</numerusform>
            <numerusform>WaDesk: %n unread messages</numerusform>
        </translation>
    </message>
    <message>
        <source>WaDesk: no unread messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause all clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n client(s) paused.</source>
        <translation>
            <numerusform>%n client paused.</numerusform>
            <numerusform>%n clients paused.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wadesk::ErrorText</name>
    <message>
        <source>The name must be 1 to 100 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message must not be empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is not a valid phone number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You may not manage members with this role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It does not exist any more, or you may not see it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid email or password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A user with this email already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The organization needs at least one active admin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A client with this phone number already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client is paused; resume it to send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The contact opted out of messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate limit reached for this client.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n clients use this proxy: assign them another proxy, or none, before deleting it.</source>
        <translation>
            <numerusform>%n client uses this proxy: assign it another proxy, or none, before deleting it.</numerusform>
            <numerusform>%n clients use this proxy: assign them another proxy, or none, before deleting it.</numerusform>
        </translation>
    </message>
    <message>
        <source>This proxy already serves its maximum of clients: choose another one or raise its maximum.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This client does not allow moving it to another proxy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The port must be a number from 1 to 65535.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The label must be 1 to 100 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The most clients cannot go below the %n clients using the proxy.</source>
        <translation>
            <numerusform>The most clients cannot go below the %n client using the proxy.</numerusform>
            <numerusform>The most clients cannot go below the %n clients using the proxy.</numerusform>
        </translation>
    </message>
    <message>
        <source>The most clients must be a number from 1 to 1000.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is larger than WaDesk accepts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A message waiting to be sent still needs this file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Media storage is not available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose 1 to 50 events to send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This client cannot be linked now: it is not showing its QR code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp gave no code for this number. Check that the number uses WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp Web did not answer. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No instance with this id shares the database (any more).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <source>REST API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <source>Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Embedded SQLite database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;PostgreSQL server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test the PostgreSQL connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <source>Your organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Organization:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>at least %n character</numerusform>
            <numerusform>at least %n characters</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Confirm password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your name (at most 100 characters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a valid email address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <source>Secrets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system &amp;keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the master key in the system keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the master key in a key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keychain check result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the keychain &amp;again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the system keychain again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the system keychain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no Secret Service or KWallet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the system keychain… If the system asks to create or unlock a keyring, answer it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSetup</name>
    <message>
        <source>The host name %1 cannot be found. Check its spelling, or use the server&apos;s IP address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network address (listen_addresses)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 did not answer in time. Check the address and port, and that no firewall is in the way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the password for the user %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server has no user %1. Create it (createuser) or use another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server has no database %1. Create it first (createdb -O %2 %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not accept connections from this computer for the user %1: add a line for it to the server&apos;s pg_hba.conf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 failed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary of the choices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PostgreSQL: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLite: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the system keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(exposed to the network)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Master key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REST API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Creating the organization and saving the settings…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk could not be set up: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk is ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The organization %1 and its administrator %2 were created. Sign in next.

Below is the organization&apos;s first API key. Copy it now if an integration needs it; you can create others later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::HeatmapWidget</name>
    <message>
        <source>%1 %2:00–%3:00: %4 sent, %5 received</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceActions</name>
    <message>
        <source>&amp;Instances…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The instances sharing this database, their sessions; drain one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run on &amp;Instance…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the instance the selected client runs on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run on instance</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceListModel</name>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (this desktop)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2, version %3, last heartbeat %4, %5%6, sessions: %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to see the instances.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::InstancesDialog</name>
    <message>
        <source>Instances</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The WaDesk instances sharing this database. Each session runs on one of them; a draining instance hands its sessions over to the others and takes no new ones. Sessions are counted for your organization&apos;s clients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Drain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drain instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the selected instance&apos;s sessions to the other instances, one by one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Undrain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undrain instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the selected instance take sessions again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh instances</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instances error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No instance has registered in this database yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drain the instance &quot;%1&quot;? Its sessions move to the other instances one by one, and it takes no new ones until you undrain it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drain</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::LinkPanel</name>
    <message>
        <source>Link this client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show a new QR code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link with &amp;phone number instead…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link with phone number instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking WhatsApp for a new code…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the code…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No QR code yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QR code to link %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code expired. Click &quot;New code&quot; for another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp has not given a code yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This code changes in %1:%2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This code is about to change.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <source>WhatsApp clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;onversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find Contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;WhatsApp Page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client &amp;List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Team…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add team members, change their roles and assign clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secrets: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>degraded (HTTP %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;WhatsApp Page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not loaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Proxies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxies (Ctrl+3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assign Pro&amp;xy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the proxy the selected client uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages, delivery and read rates, response times and busiest hours, with exports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard (Ctrl+4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready: %1 of %2 (%3 paused)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients whose WhatsApp session is linked and running, of the clients you see (paused ones included: their queue waits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Webhooks…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The endpoints that receive events, their deliveries and dead letters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API &amp;Keys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create and revoke keys for the REST API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;udit Log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who did what, when; verify the log&apos;s hash chain; export it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every contact with its tags and opt-out; search and edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization, client limits and this installation&apos;s settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My Acc&amp;ount…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change your password; delete a client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;mpaigns…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bulk sending: campaigns with their progress; create, start, pause, resume, cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates and &amp;Replies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message templates, quick replies and auto-reply rules</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <source>Media storage: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <source>Not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — not downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — the file is no longer stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — downloading…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MessageSearchModel</name>
    <message>
        <source>%1 · %2
%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent to %1 at %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From %1 at %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent by you at %1, %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (failed: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (the file was not downloaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (the file is no longer stored)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (the file is being downloaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (the file was not downloaded: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>dddd, d MMMM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>d MMMM yyyy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::OneTimeSecretDialog</name>
    <message>
        <source>The key, shown this once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the key to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It cannot be shown again once this window is closed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::PairingCodeDialog</name>
    <message>
        <source>Link %1 with a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the number of the phone to link, with its country code. WhatsApp gives a code to type on that phone instead of scanning the QR code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+14155550123</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone number to link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Get code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairing code error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type this code. WhatsApp may also show a notification to open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Get a new code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairing code %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::PinInstanceDialog</name>
    <message>
        <source>Run on instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any instance (not pinned)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this desktop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (unknown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Instance:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A pinned client runs on its instance while that one is alive. A client running elsewhere is handed over: it stops there and starts on its instance.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run on this instance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Proxy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a proxy to the pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the selected proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ssign to Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assign proxy to a client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the proxy a client uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test proxy now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxies error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added the proxy %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved the proxy %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the proxy %1 (%2)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</source>
        <translation>
            <numerusform>It is assigned to %n client: a proxy in use cannot be deleted. Assign that client another proxy (or none) first.</numerusform>
            <numerusform>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleted the proxy %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client now uses the proxy %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The client now connects without a proxy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is reachable (%2 ms).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is unreachable: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <source>Add proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>leave empty to keep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remo&amp;ve the stored password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>host:port when empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Country</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DE, US, … (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Most clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How many clients may use this proxy at most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Country:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Most clients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <source>Healthy (%1 ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unreachable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SOCKS5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
since %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Exit address: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Country</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not see the proxies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyCompleter</name>
    <message>
        <source>Quick replies</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyEditDialog</name>
    <message>
        <source>Edit Quick Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New Quick Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>greeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Shortcut: /</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick reply text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick reply error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <source>Sending limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limits unavailable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2/%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 used %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Day</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Queue: %n</source>
        <translation>
            <numerusform>Queue: %n</numerusform>
            <numerusform>Queue: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>(last leaves about %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <source>Rename client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ReportTableModel</name>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Avg. response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <source>No client selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session state: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for an operator to link this number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linked to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a client on the left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This client is waiting to be linked by an operator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session of this client is starting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session of this client is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp Web of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy: unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy: %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 proxy at %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code expired: click &quot;New code&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(this replaces %1, the number this client had before)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Your First Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clients are assigned to you yet. Ask an admin or a manager to assign one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session of this client is not running. Start it to link or use the number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Client Limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Installation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The zone in which the dashboard and the analytics cut days. Type to search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save Organization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save organization settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only admins change the organization&apos;s settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time zone; pick one from the list, such as Europe/Paris</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organization settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A client&apos;s own send limits. &quot;Installation default&quot; uses the limits on the Installation tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client messages per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client messages per hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client messages per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installation default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per &amp;minute:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per &amp;hour:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per &amp;day:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save &amp;Limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the client&apos;s limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No clients yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a client first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Limits of %1 saved; they apply to its next message.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These settings are kept in the settings file (%1) and apply when WaDesk starts next. Environment variables and command-line options take precedence over them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none in this run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default messages per minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default messages per hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default messages per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per minute:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per hour:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per day:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pace like a person (typing time and pauses between messages)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Human pacing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-out keywords</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-&amp;out keywords:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-in keywords</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender back in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-i&amp;n keywords:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data retention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days to keep messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days to keep files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days to keep events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days to keep webhook deliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Days to keep dead letters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Messages:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Files:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Webhook deliveries:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead &amp;letters:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REST API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any free port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow &amp;remote access (an address other than this computer&apos;s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow remote API access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk must be restarted for a new address or port to apply. Now: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save Installation Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save installation settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved. Restart WaDesk to apply the installation settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No&amp;tifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show a desktop &amp;notification when a message arrives while WaDesk is not in front</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Desktop notifications for new messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications need the tray; this run has none.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only messages to clients you may see are notified. The same switch is in the tray menu.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <source>Sign in to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with your WaDesk account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your email address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts, try again in %n s</source>
        <translation>
            <numerusform>Too many attempts, try again in %n s</numerusform>
            <numerusform>Too many attempts, try again in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Signing in failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid email or password</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <source>Your role may not manage the team.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add Member…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create an account for a new team member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New role for the selected member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;ole:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Change Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the selected member the role chosen above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deactivate member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected member&apos;s account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned c&amp;lients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the clients this member may see</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Team error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ac&amp;tivate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activate member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the selected member sign in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Managers can only manage agents and viewers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The assignments could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The clients could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The organization has no clients yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The clients %1 sees (%2 of %n):</source>
        <translation>
            <numerusform>The clients %1 sees (%2 of %n):</numerusform>
            <numerusform>The clients %1 sees (%2 of %n):</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove team member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password could not be hashed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <source>Admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not manage the team.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::TemplateEditDialog</name>
    <message>
        <source>Edit Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hello {{name|there}}, your order for {{attributes.city}} is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview for contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sample number (no name, no attributes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview &amp;for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be previewed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1

({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::WebhookListModel</name>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, %3, last success %4, last failure %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::WebhooksDialog</name>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that keeps failing is disabled until you re-enable it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhook endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register a new endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send a signed test event to the selected endpoint now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-&amp;enable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-enable webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send events to the selected endpoint again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;otate Secret…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rotate secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a new signing secret; the old one keeps signing for 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries of the selected webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show deliveries with status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reload deliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;play</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay delivery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the selected delivery again, with a fresh set of attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload of the selected delivery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a delivery to see what was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhooks error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Response:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This endpoint is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This endpoint is disabled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No webhooks yet. Use Add… to register an endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the URL of the endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick at least one event to send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your endpoint checks the webhook-signature header.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host %1 does not resolve yet: deliveries are retried while it does not.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhook Secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A test is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The webhook secret cannot be opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending a test event…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP %1 in %2 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New Webhook Secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can switch over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a new signing secret for %1? The current one stays valid for 24 hours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
