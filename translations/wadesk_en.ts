<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AutoReplyRuleListModel</name>
    <message>
        <source>Keyword</source>
        <translation>Keyword</translation>
    </message>
    <message>
        <source>Away (outside business hours)</source>
        <translation>Away (outside business hours)</translation>
    </message>
    <message>
        <source>Welcome (first message)</source>
        <translation>Welcome (first message)</translation>
    </message>
    <message>
        <source>Exact</source>
        <translation>Exact</translation>
    </message>
    <message>
        <source>Contains</source>
        <translation>Contains</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>Regular expression</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Trigger</source>
        <translation>Trigger</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>On</source>
        <translation>On</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
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
        <translation>%n business-hour window(s), %1 holiday(s)&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n business-hour window, holidays: %1&lt;/numerusform&gt;
            &lt;numerusform&gt;%n business-hour windows, holidays: %1&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;A contact's first message</translation>
    </message>
    <message>
        <source>Every client</source>
        <translation>Every client</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Daily volume</source>
        <translation>Daily volume</translation>
    </message>
    <message>
        <source>Delivery and read rates</source>
        <translation>Delivery and read rates</translation>
    </message>
    <message>
        <source>First response times</source>
        <translation>First response times</translation>
    </message>
    <message>
        <source>Busiest hours</source>
        <translation>Busiest hours</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Delivery rate</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Read rate</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Responses</translation>
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
        <translation>%1 (%2, messages sent and received)</translation>
    </message>
    <message>
        <source>WaDesk report · page %1</source>
        <translation>WaDesk report · page %1</translation>
    </message>
    <message>
        <source>No rows.</source>
        <translation>No rows.</translation>
    </message>
    <message>
        <source>WaDesk report: %1</source>
        <translation>WaDesk report: %1</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>Cannot write %1</translation>
    </message>
    <message>
        <source>Messaging report</source>
        <translation>Messaging report</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Organization: %1</source>
        <translation>Organization: %1</translation>
    </message>
    <message>
        <source>Range: %1 (days in %2)</source>
        <translation>Range: %1 (days in %2)</translation>
    </message>
    <message>
        <source>Clients: %1</source>
        <translation>Clients: %1</translation>
    </message>
    <message>
        <source>all clients</source>
        <translation>all clients</translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation>Generated: %1</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Per client</translation>
    </message>
    <message>
        <source>Per team member (messages they wrote)</source>
        <translation>Per team member (messages they wrote)</translation>
    </message>
    <message>
        <source>Forever</source>
        <translation>Forever</translation>
    </message>
    <message>
        <source> days</source>
        <translation> days</translation>
    </message>
</context>
<context>
    <name>QuickReplyListModel</name>
    <message>
        <source>Shortcut</source>
        <translation>Shortcut</translation>
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
        <translation>Variables</translation>
    </message>
</context>
<context>
    <name>wadesk::AccountDialog</name>
    <message>
        <source>My Account</source>
        <translation>My Account</translation>
    </message>
    <message>
        <source>Signed in as %1 &lt;%2&gt;, %3.</source>
        <translation>Signed in as %1 &lt;%2&gt;, %3.</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>Not signed in.</translation>
    </message>
    <message>
        <source>Change your password</source>
        <translation>Change your password</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Current password</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>New password</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>New password again</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>&amp;Current password:</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>&amp;New password:</translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Repeat it:</translation>
    </message>
    <message>
        <source>%1 to %2 characters.</source>
        <translation>%1 to %2 characters.</translation>
    </message>
    <message>
        <source>C&amp;hange Password</source>
        <translation>C&amp;hange Password</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>Password error</source>
        <translation>Password error</translation>
    </message>
    <message>
        <source>Delete a client</source>
        <translation>Delete a client</translation>
    </message>
    <message>
        <source>Deletes the client with its session, messages and queue. You are asked to confirm.</source>
        <translation>Deletes the client with its session, messages and queue. You are asked to confirm.</translation>
    </message>
    <message>
        <source>Client to delete</source>
        <translation>Client to delete</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <source>&amp;Delete Client…</source>
        <translation>&amp;Delete Client…</translation>
    </message>
    <message>
        <source>Delete client</source>
        <translation>Delete client</translation>
    </message>
    <message>
        <source>Delete client error</source>
        <translation>Delete client error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>Enter your current password.</translation>
    </message>
    <message>
        <source>The new password and its repetition differ.</source>
        <translation>The new password and its repetition differ.</translation>
    </message>
    <message>
        <source>The new password is the current one.</source>
        <translation>The new password is the current one.</translation>
    </message>
    <message>
        <source>Your account no longer exists.</source>
        <translation>Your account no longer exists.</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>The current password is wrong.</translation>
    </message>
    <message>
        <source>Password changed. Use the new one the next time you sign in.</source>
        <translation>Password changed. Use the new one the next time you sign in.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>No clients</source>
        <translation>No clients</translation>
    </message>
</context>
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <source>Add client</source>
        <translation>Add client</translation>
    </message>
    <message>
        <source>Front desk</source>
        <translation>Front desk</translation>
    </message>
    <message>
        <source>Client name</source>
        <translation>Client name</translation>
    </message>
    <message>
        <source>+14155552671 (optional)</source>
        <translation>+14155552671 (optional)</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>&amp;Phone number:</translation>
    </message>
    <message>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation>After adding, start the client and scan its QR code with the phone.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Add</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
</context>
<context>
    <name>wadesk::AddMemberDialog</name>
    <message>
        <source>Add team member</source>
        <translation>Add team member</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Email address</translation>
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
        <translation>Role</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>Initial password</translation>
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
        <translation>at least %n characters&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;at least %n character&lt;/numerusform&gt;
            &lt;numerusform&gt;at least %n characters&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;&amp;Email:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Role:</translation>
    </message>
    <message>
        <source>Initial &amp;password:</source>
        <translation>Initial &amp;password:</translation>
    </message>
    <message>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation>The new member signs in with this email and password; pass the password on to them safely.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Add</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Add member</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>wadesk::AddWebhookDialog</name>
    <message>
        <source>Add Webhook</source>
        <translation>Add Webhook</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>Webhook URL</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Events to send:</source>
        <translation>&amp;Events to send:</translation>
    </message>
    <message>
        <source>Events to send</source>
        <translation>Events to send</translation>
    </message>
    <message>
        <source>All events, including those added later</source>
        <translation>All events, including those added later</translation>
    </message>
    <message>
        <source>The signing secret is shown once, after the webhook is added.</source>
        <translation>The signing secret is shown once, after the webhook is added.</translation>
    </message>
    <message>
        <source>Add webhook error</source>
        <translation>Add webhook error</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Add</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Add webhook</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeyListModel</name>
    <message>
        <source>Revoked</source>
        <translation>Revoked</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>%1, key %2, last used %3, expires %4, %5</source>
        <translation>%1, key %2, last used %3, expires %4, %5</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Last used</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Sign in to manage API keys.</source>
        <translation>Sign in to manage API keys.</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeysDialog</name>
    <message>
        <source>API Keys</source>
        <translation>API Keys</translation>
    </message>
    <message>
        <source>Keys for the REST API. Each key acts with its owner&apos;s role; as an admin you see every key of the organization.</source>
        <translation>Keys for the REST API. Each key acts with its owner's role; as an admin you see every key of the organization.</translation>
    </message>
    <message>
        <source>Your keys for the REST API. Each key acts with your role.</source>
        <translation>Your keys for the REST API. Each key acts with your role.</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>API keys</translation>
    </message>
    <message>
        <source>&amp;Create…</source>
        <translation>&amp;Create…</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>Create API key</translation>
    </message>
    <message>
        <source>Create a key; it is shown once</source>
        <translation>Create a key; it is shown once</translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation>&amp;Revoke…</translation>
    </message>
    <message>
        <source>Revoke API key</source>
        <translation>Revoke API key</translation>
    </message>
    <message>
        <source>Stop the selected key from working, for good</source>
        <translation>Stop the selected key from working, for good</translation>
    </message>
    <message>
        <source>API keys error</source>
        <translation>API keys error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>No API keys yet. Use Create… to make one.</source>
        <translation>No API keys yet. Use Create… to make one.</translation>
    </message>
    <message>
        <source>Give the key a name of 1 to 100 characters.</source>
        <translation>Give the key a name of 1 to 100 characters.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>The expiry must be in the future.</translation>
    </message>
    <message>
        <source>API Key Created</source>
        <translation>API Key Created</translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; is below. Send it in the X-API-Key header.</source>
        <translation>The API key "%1" is below. Send it in the X-API-Key header.</translation>
    </message>
    <message>
        <source>Revoke the key &quot;%1&quot; (%2…%3)? Programs using it stop working at once; this cannot be undone.</source>
        <translation>Revoke the key "%1" (%2…%3)? Programs using it stop working at once; this cannot be undone.</translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <source>Assign proxy</source>
        <translation>Assign proxy</translation>
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
        <translation>Automatic (the least used healthy proxy)</translation>
    </message>
    <message>
        <source>No proxy (connect directly)</source>
        <translation>No proxy (connect directly)</translation>
    </message>
    <message>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation>%1 — %2, %3 of %4 clients, %5</translation>
    </message>
    <message>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation>&amp;Move to another healthy proxy when this one is down</translation>
    </message>
    <message>
        <source>Allow failover to another proxy</source>
        <translation>Allow failover to another proxy</translation>
    </message>
    <message>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation>Off: while its proxy is down the client waits, and never connects directly.</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;lient:</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>Now:</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Assign</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>No proxy</translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <source>The file is no longer stored.</source>
        <translation>The file is no longer stored.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message>
        <source>The stored file could not be read whole.</source>
        <translation>The stored file could not be read whole.</translation>
    </message>
    <message>
        <source>No temporary folder could be made: %1</source>
        <translation>No temporary folder could be made: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogDialog</name>
    <message>
        <source>Audit Log</source>
        <translation>Audit Log</translation>
    </message>
    <message>
        <source>&amp;Member:</source>
        <translation>&amp;Member:</translation>
    </message>
    <message>
        <source>Show entries by member</source>
        <translation>Show entries by member</translation>
    </message>
    <message>
        <source>A&amp;ction:</source>
        <translation>A&amp;ction:</translation>
    </message>
    <message>
        <source>Show entries with action</source>
        <translation>Show entries with action</translation>
    </message>
    <message>
        <source>&amp;Resource:</source>
        <translation>&amp;Resource:</translation>
    </message>
    <message>
        <source>Show entries about resource</source>
        <translation>Show entries about resource</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;From:</translation>
    </message>
    <message>
        <source>Limit to entries from a date</source>
        <translation>Limit to entries from a date</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>First day</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <source>Limit to entries up to a date</source>
        <translation>Limit to entries up to a date</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>Last day</translation>
    </message>
    <message>
        <source>Audit log entries</source>
        <translation>Audit log entries</translation>
    </message>
    <message>
        <source>Details of the selected entry</source>
        <translation>Details of the selected entry</translation>
    </message>
    <message>
        <source>Select an entry to see its details.</source>
        <translation>Select an entry to see its details.</translation>
    </message>
    <message>
        <source>Chain verification result</source>
        <translation>Chain verification result</translation>
    </message>
    <message>
        <source>&amp;Verify Chain</source>
        <translation>&amp;Verify Chain</translation>
    </message>
    <message>
        <source>Verify chain</source>
        <translation>Verify chain</translation>
    </message>
    <message>
        <source>Check that no entry was edited, removed or added behind the log&apos;s back</source>
        <translation>Check that no entry was edited, removed or added behind the log's back</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Export CSV…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Export CSV</translation>
    </message>
    <message>
        <source>Save the entries shown as a CSV file</source>
        <translation>Save the entries shown as a CSV file</translation>
    </message>
    <message>
        <source>Audit log error</source>
        <translation>Audit log error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Entry: %1 (#%2)</source>
        <translation>Entry: %1 (#%2)</translation>
    </message>
    <message>
        <source>Time: %1 (%2)</source>
        <translation>Time: %1 (%2)</translation>
    </message>
    <message>
        <source>Member: %1</source>
        <translation>Member: %1</translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation>Action: %1</translation>
    </message>
    <message>
        <source>Resource: %1 %2</source>
        <translation>Resource: %1 %2</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Address: %1</translation>
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
        <translation>Entries shown: %1</translation>
    </message>
    <message>
        <source>(the newest %1; narrow the dates to see older ones)</source>
        <translation>(the newest %1; narrow the dates to see older ones)</translation>
    </message>
    <message>
        <source>Chain intact. Entries checked: %1.</source>
        <translation>Chain intact. Entries checked: %1.</translation>
    </message>
    <message>
        <source>Chain broken at entry #%1 (%2): %3</source>
        <translation>Chain broken at entry #%1 (%2): %3</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Your role may not view the audit log.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message>
        <source>Export Audit Log</source>
        <translation>Export Audit Log</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Entries exported: %1, to %2.</source>
        <translation>Entries exported: %1, to %2.</translation>
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
        <translation>%1: %2 %3 %4 by %5</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Resource</source>
        <translation>Resource</translation>
    </message>
    <message>
        <source>Resource ID</source>
        <translation>Resource ID</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Your role may not view the audit log.</translation>
    </message>
</context>
<context>
    <name>wadesk::AutoReplyRuleDialog</name>
    <message>
        <source>Edit Auto-reply Rule</source>
        <translation>Edit Auto-reply Rule</translation>
    </message>
    <message>
        <source>New Auto-reply Rule</source>
        <translation>New Auto-reply Rule</translation>
    </message>
    <message>
        <source>Rule name</source>
        <translation>Rule name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Kind:</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Every client of the organization</source>
        <translation>Every client of the organization</translation>
    </message>
    <message>
        <source>&amp;Applies to:</source>
        <translation>&amp;Applies to:</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Keywords</translation>
    </message>
    <message>
        <source>Match mode</source>
        <translation>Match mode</translation>
    </message>
    <message>
        <source>&amp;Match:</source>
        <translation>&amp;Match:</translation>
    </message>
    <message>
        <source>Keywords, one a line</source>
        <translation>Keywords, one a line</translation>
    </message>
    <message>
        <source>One word, phrase or pattern a line; case and accents are ignored</source>
        <translation>One word, phrase or pattern a line; case and accents are ignored</translation>
    </message>
    <message>
        <source>K&amp;eywords:</source>
        <translation>K&amp;eywords:</translation>
    </message>
    <message>
        <source>Business hours (the away message is sent outside them)</source>
        <translation>Business hours (the away message is sent outside them)</translation>
    </message>
    <message>
        <source>Open on:</source>
        <translation>Open on:</translation>
    </message>
    <message>
        <source>Opens at</source>
        <translation>Opens at</translation>
    </message>
    <message>
        <source>Closes at</source>
        <translation>Closes at</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>From:</translation>
    </message>
    <message>
        <source>Holidays</source>
        <translation>Holidays</translation>
    </message>
    <message>
        <source>2026-12-25, 2027-01-01</source>
        <translation>2026-12-25, 2027-01-01</translation>
    </message>
    <message>
        <source>&amp;Holidays:</source>
        <translation>&amp;Holidays:</translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation>Reply text</translation>
    </message>
    <message>
        <source>&amp;Reply:</source>
        <translation>&amp;Reply:</translation>
    </message>
    <message>
        <source>At most once per contact within, in minutes</source>
        <translation>At most once per contact within, in minutes</translation>
    </message>
    <message>
        <source>the kind&apos;s default (a day; 5 minutes for keywords)</source>
        <translation>the kind's default (a day; 5 minutes for keywords)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Once per contact &amp;within:</source>
        <translation>Once per contact &amp;within:</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Rules with a lower number are tried first</source>
        <translation>Rules with a lower number are tried first</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>&amp;Priority:</translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation>&amp;On</translation>
    </message>
    <message>
        <source>Rule error</source>
        <translation>Rule error</translation>
    </message>
</context>
<context>
    <name>wadesk::AutomationDialog</name>
    <message>
        <source>Templates and Replies</source>
        <translation>Templates and Replies</translation>
    </message>
    <message>
        <source>No templates yet. A template is a message with variables such as {{name}}, filled in for each contact of a campaign. Add one with Add….</source>
        <translation>No templates yet. A template is a message with variables such as {{name}}, filled in for each contact of a campaign. Add one with Add….</translation>
    </message>
    <message>
        <source>No quick replies yet. A quick reply is a saved text: type / and its shortcut in the composer to insert it.</source>
        <translation>No quick replies yet. A quick reply is a saved text: type / and its shortcut in the composer to insert it.</translation>
    </message>
    <message>
        <source>No auto-reply rules yet. A rule answers a keyword, messages outside business hours or a first-time contact by itself.</source>
        <translation>No auto-reply rules yet. A rule answers a keyword, messages outside business hours or a first-time contact by itself.</translation>
    </message>
    <message>
        <source>&amp;Templates</source>
        <translation>&amp;Templates</translation>
    </message>
    <message>
        <source>&amp;Quick Replies</source>
        <translation>&amp;Quick Replies</translation>
    </message>
    <message>
        <source>&amp;Auto-replies</source>
        <translation>&amp;Auto-replies</translation>
    </message>
    <message>
        <source>Templates and replies error</source>
        <translation>Templates and replies error</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Add…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Delete</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation>Quick replies</translation>
    </message>
    <message>
        <source>Auto-reply rules</source>
        <translation>Auto-reply rules</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;? This cannot be undone.</source>
        <translation>Delete "%1"? This cannot be undone.</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignDetailDialog</name>
    <message>
        <source>Campaign</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Queued</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <source>Replied</source>
        <translation>Replied</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Skipped</translation>
    </message>
    <message>
        <source>Show recipients by status</source>
        <translation>Show recipients by status</translation>
    </message>
    <message>
        <source>All recipients</source>
        <translation>All recipients</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Show:</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Recipients</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Campaign error</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>Export &amp;CSV…</translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation>Export &amp;JSON…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Campaign: %1</source>
        <translation>Campaign: %1</translation>
    </message>
    <message>
        <source>Export Campaign</source>
        <translation>Export Campaign</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON files (*.json)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Could not write %1: %2</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignListModel</name>
    <message>
        <source>Draft</source>
        <translation>Draft</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Scheduled</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Running</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>Paused: %1</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Not started</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 of %2 sent</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progress</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finished</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignRecipientModel</name>
    <message>
        <source>Phone number</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignWizard</name>
    <message>
        <source>New Campaign</source>
        <translation>New Campaign</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Create</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>Audience</translation>
    </message>
    <message>
        <source>Who receives the campaign, and from which client</source>
        <translation>Who receives the campaign, and from which client</translation>
    </message>
    <message>
        <source>Campaign name</source>
        <translation>Campaign name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Client that sends</source>
        <translation>Client that sends</translation>
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
        <translation>Phone &amp;numbers</translation>
    </message>
    <message>
        <source>Contacts with &amp;tags (any of them)</source>
        <translation>Contacts with &amp;tags (any of them)</translation>
    </message>
    <message>
        <source>A saved &amp;segment</source>
        <translation>A saved &amp;segment</translation>
    </message>
    <message>
        <source>Contact &amp;ids</source>
        <translation>Contact &amp;ids</translation>
    </message>
    <message>
        <source>Phone numbers, one a line</source>
        <translation>Phone numbers, one a line</translation>
    </message>
    <message>
        <source>+14155550100
+14155550101</source>
        <translation>+14155550100
+14155550101</translation>
    </message>
    <message>
        <source>Tags, separated by commas</source>
        <translation>Tags, separated by commas</translation>
    </message>
    <message>
        <source>vip, newsletter</source>
        <translation>vip, newsletter</translation>
    </message>
    <message>
        <source>Saved segment</source>
        <translation>Saved segment</translation>
    </message>
    <message>
        <source>Contact ids, one a line</source>
        <translation>Contact ids, one a line</translation>
    </message>
    <message>
        <source>Recipients:</source>
        <translation>Recipients:</translation>
    </message>
    <message>
        <source>Audience error</source>
        <translation>Audience error</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>The text every recipient receives, or a template filled in for each</source>
        <translation>The text every recipient receives, or a template filled in for each</translation>
    </message>
    <message>
        <source>&amp;Text</source>
        <translation>&amp;Text</translation>
    </message>
    <message>
        <source>T&amp;emplate</source>
        <translation>T&amp;emplate</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Message text</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Template</translation>
    </message>
    <message>
        <source>Sample contact for the preview</source>
        <translation>Sample contact for the preview</translation>
    </message>
    <message>
        <source>Message error</source>
        <translation>Message error</translation>
    </message>
    <message>
        <source>Te&amp;mplate:</source>
        <translation>Te&amp;mplate:</translation>
    </message>
    <message>
        <source>&amp;Preview for:</source>
        <translation>&amp;Preview for:</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Preview:</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Schedule</translation>
    </message>
    <message>
        <source>When it starts, when it may send, and how much a day</source>
        <translation>When it starts, when it may send, and how much a day</translation>
    </message>
    <message>
        <source>Start &amp;now</source>
        <translation>Start &amp;now</translation>
    </message>
    <message>
        <source>Start &amp;at:</source>
        <translation>Start &amp;at:</translation>
    </message>
    <message>
        <source>Start time</source>
        <translation>Start time</translation>
    </message>
    <message>
        <source>Send only within a &amp;window (the organization&apos;s time zone)</source>
        <translation>Send only within a &amp;window (the organization's time zone)</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>Days:</translation>
    </message>
    <message>
        <source>Window opens</source>
        <translation>Window opens</translation>
    </message>
    <message>
        <source>Window closes</source>
        <translation>Window closes</translation>
    </message>
    <message>
        <source>to</source>
        <translation>to</translation>
    </message>
    <message>
        <source>Hours:</source>
        <translation>Hours:</translation>
    </message>
    <message>
        <source>Messages per day at most</source>
        <translation>Messages per day at most</translation>
    </message>
    <message>
        <source>No cap</source>
        <translation>No cap</translation>
    </message>
    <message>
        <source>Per-day &amp;cap:</source>
        <translation>Per-day &amp;cap:</translation>
    </message>
    <message>
        <source>Schedule error</source>
        <translation>Schedule error</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>Check what will be sent; Create stores the campaign</source>
        <translation>Check what will be sent; Create stores the campaign</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Campaign error</translation>
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
        <translation>%n recipient(s)&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n recipient&lt;/numerusform&gt;
            &lt;numerusform&gt;%n recipients&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;There is no template yet: write the text instead.</translation>
    </message>
    <message>
        <source>(No value for {{%1}}: recipients without one are skipped.)</source>
        <translation>(No value for {{%1}}: recipients without one are skipped.)</translation>
    </message>
    <message>
        <source>Name: %1</source>
        <translation>Name: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>Client: %1</source>
        <translation>Client: %1</translation>
    </message>
    <message>
        <source>Recipients: %1 (duplicates and opted-out contacts are skipped at the start)</source>
        <translation>Recipients: %1 (duplicates and opted-out contacts are skipped at the start)</translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation>Message: %1</translation>
    </message>
    <message>
        <source>Template: %1</source>
        <translation>Template: %1</translation>
    </message>
    <message>
        <source>Starts: %1</source>
        <translation>Starts: %1</translation>
    </message>
    <message>
        <source>Starts: now</source>
        <translation>Starts: now</translation>
    </message>
    <message>
        <source>Window: %1 to %2</source>
        <translation>Window: %1 to %2</translation>
    </message>
    <message>
        <source>At most %1 a day</source>
        <translation>At most %1 a day</translation>
    </message>
    <message>
        <source>Estimated finish: %1</source>
        <translation>Estimated finish: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignsDialog</name>
    <message>
        <source>Campaigns</source>
        <translation>Campaigns</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Campaign error</translation>
    </message>
    <message>
        <source>&amp;New Campaign…</source>
        <translation>&amp;New Campaign…</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Start</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pause</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Resume</translation>
    </message>
    <message>
        <source>&amp;Cancel Campaign…</source>
        <translation>&amp;Cancel Campaign…</translation>
    </message>
    <message>
        <source>&amp;Details…</source>
        <translation>&amp;Details…</translation>
    </message>
    <message>
        <source>Cancel Campaign</source>
        <translation>Cancel Campaign</translation>
    </message>
    <message>
        <source>No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.</source>
        <translation>No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.</translation>
    </message>
    <message>
        <source>No campaign on the clients assigned to you.</source>
        <translation>No campaign on the clients assigned to you.</translation>
    </message>
    <message>
        <source>Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.</source>
        <translation>Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <source>Your role may not manage clients.</source>
        <translation>Your role may not manage clients.</translation>
    </message>
    <message>
        <source>&amp;Add Client…</source>
        <translation>&amp;Add Client…</translation>
    </message>
    <message>
        <source>Add a WhatsApp client</source>
        <translation>Add a WhatsApp client</translation>
    </message>
    <message>
        <source>Re&amp;name Client…</source>
        <translation>Re&amp;name Client…</translation>
    </message>
    <message>
        <source>Rename the selected client</source>
        <translation>Rename the selected client</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Start</translation>
    </message>
    <message>
        <source>Start the selected client&apos;s session</source>
        <translation>Start the selected client's session</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>S&amp;top</translation>
    </message>
    <message>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation>Stop the selected client's session (it stays linked)</translation>
    </message>
    <message>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation>&amp;Log Out of WhatsApp…</translation>
    </message>
    <message>
        <source>Unlink the selected client&apos;s phone</source>
        <translation>Unlink the selected client's phone</translation>
    </message>
    <message>
        <source>&amp;Pause Sending</source>
        <translation>&amp;Pause Sending</translation>
    </message>
    <message>
        <source>Hold the selected client&apos;s send queue</source>
        <translation>Hold the selected client's send queue</translation>
    </message>
    <message>
        <source>&amp;Resume Sending</source>
        <translation>&amp;Resume Sending</translation>
    </message>
    <message>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation>Let the selected client's send queue move again</translation>
    </message>
    <message>
        <source>The session could not start: %1</source>
        <translation>The session could not start: %1</translation>
    </message>
    <message>
        <source>WaDesk</source>
        <translation>WaDesk</translation>
    </message>
    <message>
        <source>Log out of WhatsApp</source>
        <translation>Log out of WhatsApp</translation>
    </message>
    <message>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation>Unlink "%1" from its phone? Linking it again needs a new QR scan with the phone.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <source>paused</source>
        <translation>paused</translation>
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
        <translation>%n queued&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n queued&lt;/numerusform&gt;
            &lt;numerusform&gt;%n queued&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;no number linked</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <source>Stopped</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Starting</translation>
    </message>
    <message>
        <source>Scan QR</source>
        <translation>Scan QR</translation>
    </message>
    <message>
        <source>Linking</source>
        <translation>Linking</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Disconnected</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Logged out</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
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
        <translation>no number linked</translation>
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
        <translation>, %n unread&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;, %n unread&lt;/numerusform&gt;
            &lt;numerusform&gt;, %n unread&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message numerus="yes"&gt;
        &lt;source&gt;, %n queued&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;, %n queued&lt;/numerusform&gt;
            &lt;numerusform&gt;, %n queued&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;, queue paused</translation>
    </message>
    <message>
        <source>Runs on %1</source>
        <translation>Runs on %1</translation>
    </message>
    <message>
        <source>, runs on %1</source>
        <translation>, runs on %1</translation>
    </message>
    <message>
        <source>%1 · Runs on %2</source>
        <translation>%1 · Runs on %2</translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <source>Phone number, e.g. +14155552671</source>
        <translation>Phone number, e.g. +14155552671</translation>
    </message>
    <message>
        <source>Recipient phone number</source>
        <translation>Recipient phone number</translation>
    </message>
    <message>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation>Write a message (Ctrl+Enter sends)</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Message text</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Send</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Send message</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Send (Ctrl+Enter)</translation>
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
        <translation>Try again in %n second(s).&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;Try again in %n second.&lt;/numerusform&gt;
            &lt;numerusform&gt;Try again in %n seconds.&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;Queued.</translation>
    </message>
    <message>
        <source>Remove the attachment</source>
        <translation>Remove the attachment</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Remove attachment</translation>
    </message>
    <message>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation>Attach a file (or drop one here, or paste an image)</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Attach a file</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>The file %1 does not exist.</translation>
    </message>
    <message>
        <source>Only files can be attached; %1 is not one.</source>
        <translation>Only files can be attached; %1 is not one.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation>The file %1 cannot be read.</translation>
    </message>
    <message>
        <source>The clipboard holds no image that can be read.</source>
        <translation>The clipboard holds no image that can be read.</translation>
    </message>
    <message>
        <source>The image could not be encoded as PNG.</source>
        <translation>The image could not be encoded as PNG.</translation>
    </message>
    <message>
        <source>The file %1 is empty.</source>
        <translation>The file %1 is empty.</translation>
    </message>
    <message>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation>%1 is %2; files up to %3 can be sent.</translation>
    </message>
    <message>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation>Add a caption (optional; Ctrl+Enter sends)</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Caption</translation>
    </message>
    <message>
        <source>Attachment: %1, %2</source>
        <translation>Attachment: %1, %2</translation>
    </message>
    <message>
        <source>The file %1 can no longer be read: %2</source>
        <translation>The file %1 can no longer be read: %2</translation>
    </message>
    <message>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation>Sent.</translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation>Delivered.</translation>
    </message>
    <message>
        <source>The message was not sent.</source>
        <translation>The message was not sent.</translation>
    </message>
    <message>
        <source>The message was not sent: %1</source>
        <translation>The message was not sent: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactEditDialog</name>
    <message>
        <source>Edit Contact</source>
        <translation>Edit Contact</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Number:</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Contact name</translation>
    </message>
    <message>
        <source>No name</source>
        <translation>No name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Contact tags</source>
        <translation>Contact tags</translation>
    </message>
    <message>
        <source>vip, spain</source>
        <translation>vip, spain</translation>
    </message>
    <message>
        <source>Separated by commas; each 1 to 50 characters, without quotes</source>
        <translation>Separated by commas; each 1 to 50 characters, without quotes</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>&amp;Tags:</translation>
    </message>
    <message>
        <source>&amp;Opted out: send this contact nothing</source>
        <translation>&amp;Opted out: send this contact nothing</translation>
    </message>
    <message>
        <source>Opted out</source>
        <translation>Opted out</translation>
    </message>
    <message>
        <source>Contact error</source>
        <translation>Contact error</translation>
    </message>
    <message>
        <source>Save contact</source>
        <translation>Save contact</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactImportDialog</name>
    <message>
        <source>semicolon</source>
        <translation>semicolon</translation>
    </message>
    <message>
        <source>tab</source>
        <translation>tab</translation>
    </message>
    <message>
        <source>comma</source>
        <translation>comma</translation>
    </message>
    <message>
        <source>Import Contacts</source>
        <translation>Import Contacts</translation>
    </message>
    <message>
        <source>&amp;Choose File…</source>
        <translation>&amp;Choose File…</translation>
    </message>
    <message>
        <source>No file chosen. Choose a CSV file with a header row: a phone column, and name, tags or any other columns (they become the contact&apos;s attributes).</source>
        <translation>No file chosen. Choose a CSV file with a header row: a phone column, and name, tags or any other columns (they become the contact's attributes).</translation>
    </message>
    <message>
        <source>&amp;Delimiter:</source>
        <translation>&amp;Delimiter:</translation>
    </message>
    <message>
        <source>Delimiter</source>
        <translation>Delimiter</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Detect</translation>
    </message>
    <message>
        <source>Comma</source>
        <translation>Comma</translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation>Semicolon</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>Tab</translation>
    </message>
    <message>
        <source>Default &amp;region:</source>
        <translation>Default &amp;region:</translation>
    </message>
    <message>
        <source>Default region</source>
        <translation>Default region</translation>
    </message>
    <message>
        <source>The country (two letters, such as US or DE) of numbers written without +country code</source>
        <translation>The country (two letters, such as US or DE) of numbers written without +country code</translation>
    </message>
    <message>
        <source>The file&apos;s first rows and what each column becomes</source>
        <translation>The file's first rows and what each column becomes</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Import</translation>
    </message>
    <message>
        <source>Ca&amp;ncel Import</source>
        <translation>Ca&amp;ncel Import</translation>
    </message>
    <message>
        <source>Rows that were skipped</source>
        <translation>Rows that were skipped</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Line</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Why</translation>
    </message>
    <message>
        <source>Import error</source>
        <translation>Import error</translation>
    </message>
    <message>
        <source>C&amp;opy Report</source>
        <translation>C&amp;opy Report</translation>
    </message>
    <message>
        <source>&amp;Save Report…</source>
        <translation>&amp;Save Report…</translation>
    </message>
    <message>
        <source>Save Import Report</source>
        <translation>Save Import Report</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>The report could not be written to %1.</source>
        <translation>The report could not be written to %1.</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt *.tsv);;All files (*)</source>
        <translation>CSV files (*.csv *.txt *.tsv);;All files (*)</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>%1 cannot be read: %2</translation>
    </message>
    <message>
        <source>%1 (%2 KB)</source>
        <translation>%1 (%2 KB)</translation>
    </message>
    <message>
        <source>(found: %1)</source>
        <translation>(found: %1)</translation>
    </message>
    <message>
        <source>The file is empty or its first row is not CSV: it needs a header row.</source>
        <translation>The file is empty or its first row is not CSV: it needs a header row.</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>Import as</translation>
    </message>
    <message>
        <source>Import column %1 as</source>
        <translation>Import column %1 as</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Phone number</translation>
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
        <translation>Attribute "%1"</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignore</translation>
    </message>
    <message>
        <source>Choose the column that holds the phone numbers (&quot;Phone number&quot; above it).</source>
        <translation>Choose the column that holds the phone numbers ("Phone number" above it).</translation>
    </message>
    <message>
        <source>The default region is a country&apos;s two letters, such as US or DE (or empty when every number has its +country code).</source>
        <translation>The default region is a country's two letters, such as US or DE (or empty when every number has its +country code).</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Importing…</translation>
    </message>
    <message>
        <source>The import stopped without a report.</source>
        <translation>The import stopped without a report.</translation>
    </message>
    <message>
        <source>Cancelled: no contact was changed.</source>
        <translation>Cancelled: no contact was changed.</translation>
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
        <translation>%n row(s) read: &lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n row read: &lt;/numerusform&gt;
            &lt;numerusform&gt;%n rows read: &lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;%1 contact(s) created, %2 updated, %3 skipped.</translation>
    </message>
    <message>
        <source>Only the first %1 skipped rows are listed.</source>
        <translation>Only the first %1 skipped rows are listed.</translation>
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
        <translation> (opted out)</translation>
    </message>
    <message>
        <source>, tags: %1</source>
        <translation>, tags: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactPageModel</name>
    <message>
        <source>Opted out</source>
        <translation>Opted out</translation>
    </message>
    <message>
        <source>Receives messages</source>
        <translation>Receives messages</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(no name)</translation>
    </message>
    <message>
        <source>%1, %2, tags: %3, %4</source>
        <translation>%1, %2, tags: %3, %4</translation>
    </message>
    <message>
        <source>no name</source>
        <translation>no name</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>Opt-out</source>
        <translation>Opt-out</translation>
    </message>
    <message>
        <source>Sign in to see the contacts.</source>
        <translation>Sign in to see the contacts.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactsDialog</name>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Search:</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Search contacts</translation>
    </message>
    <message>
        <source>Name or number</source>
        <translation>Name or number</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>Edit contact</source>
        <translation>Edit contact</translation>
    </message>
    <message>
        <source>Change the name, tags and opt-out of the selected contact</source>
        <translation>Change the name, tags and opt-out of the selected contact</translation>
    </message>
    <message>
        <source>&amp;Clear Search</source>
        <translation>&amp;Clear Search</translation>
    </message>
    <message>
        <source>Clear the search</source>
        <translation>Clear the search</translation>
    </message>
    <message>
        <source>Contacts error</source>
        <translation>Contacts error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>No contact matches &quot;%1&quot;. Try part of the name or a few digits of the number.</source>
        <translation>No contact matches "%1". Try part of the name or a few digits of the number.</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>&amp;Import…</translation>
    </message>
    <message>
        <source>Add or update contacts from a CSV file</source>
        <translation>Add or update contacts from a CSV file</translation>
    </message>
    <message>
        <source>No contacts yet. A contact appears here when a client sends to or hears from a number, or when contacts are imported (Import…, or through the API).</source>
        <translation>No contacts yet. A contact appears here when a client sends to or hears from a number, or when contacts are imported (Import…, or through the API).</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationDelegate</name>
    <message>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>%1 (opted out)</source>
        <translation>%1 (opted out)</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationListModel</name>
    <message>
        <source>Photo</source>
        <translation>Photo</translation>
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
        <translation>Voice message</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Contact card</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Deleted message</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>You: %1</translation>
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
        <translation>, %1 unread</translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation> (opted out)</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Your role can read conversations but not send messages.</source>
        <translation>Your role can read conversations but not send messages.</translation>
    </message>
    <message>
        <source>Select a client to see its conversations.</source>
        <translation>Select a client to see its conversations.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The file of this message was not downloaded.</source>
        <translation>The file of this message was not downloaded.</translation>
    </message>
    <message>
        <source>The file of this message is no longer stored.</source>
        <translation>The file of this message is no longer stored.</translation>
    </message>
    <message>
        <source>This message has no file.</source>
        <translation>This message has no file.</translation>
    </message>
    <message>
        <source>No application opens %1.</source>
        <translation>No application opens %1.</translation>
    </message>
    <message>
        <source>Save attachment</source>
        <translation>Save attachment</translation>
    </message>
    <message>
        <source>Open attachment</source>
        <translation>Open attachment</translation>
    </message>
    <message>
        <source>&amp;Open attachment</source>
        <translation>&amp;Open attachment</translation>
    </message>
    <message>
        <source>&amp;Save attachment as…</source>
        <translation>&amp;Save attachment as…</translation>
    </message>
    <message>
        <source>The file of this message is still being downloaded.</source>
        <translation>The file of this message is still being downloaded.</translation>
    </message>
    <message>
        <source>Search conversations and messages</source>
        <translation>Search conversations and messages</translation>
    </message>
    <message>
        <source>Search conversations by name or number, and messages by their text</source>
        <translation>Search conversations by name or number, and messages by their text</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>Messages that match the search</source>
        <translation>Messages that match the search</translation>
    </message>
    <message>
        <source>Send &amp;read receipts</source>
        <translation>Send &amp;read receipts</translation>
    </message>
    <message>
        <source>Send read receipts to WhatsApp when a conversation is opened</source>
        <translation>Send read receipts to WhatsApp when a conversation is opened</translation>
    </message>
    <message>
        <source>When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks).</source>
        <translation>When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks).</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversation</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Contact name</translation>
    </message>
    <message>
        <source>Name (Enter saves, Esc cancels)</source>
        <translation>Name (Enter saves, Esc cancels)</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>Re&amp;name…</translation>
    </message>
    <message>
        <source>Rename contact</source>
        <translation>Rename contact</translation>
    </message>
    <message>
        <source>Change the contact&apos;s name</source>
        <translation>Change the contact's name</translation>
    </message>
    <message>
        <source>Opt-out state</source>
        <translation>Opt-out state</translation>
    </message>
    <message>
        <source>This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts).</source>
        <translation>This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts).</translation>
    </message>
    <message>
        <source>No message contains “%1”.</source>
        <translation>No message contains “%1”.</translation>
    </message>
    <message>
        <source>Matching messages: the newest %1</source>
        <translation>Matching messages: the newest %1</translation>
    </message>
    <message>
        <source>Matching messages: %1</source>
        <translation>Matching messages: %1</translation>
    </message>
    <message>
        <source>Open a conversation first.</source>
        <translation>Open a conversation first.</translation>
    </message>
    <message>
        <source>This number has no conversation with the client yet.</source>
        <translation>This number has no conversation with the client yet.</translation>
    </message>
    <message>
        <source>No conversations yet: write to a number below.</source>
        <translation>No conversations yet: write to a number below.</translation>
    </message>
    <message>
        <source>Select a conversation, or write to a new number below.</source>
        <translation>Select a conversation, or write to a new number below.</translation>
    </message>
</context>
<context>
    <name>wadesk::CreateApiKeyDialog</name>
    <message>
        <source>Create API Key</source>
        <translation>Create API Key</translation>
    </message>
    <message>
        <source>The key acts with your role. It is shown once, after it is created.</source>
        <translation>The key acts with your role. It is shown once, after it is created.</translation>
    </message>
    <message>
        <source>Key name</source>
        <translation>Key name</translation>
    </message>
    <message>
        <source>What uses the key, e.g. CRM sync</source>
        <translation>What uses the key, e.g. CRM sync</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>E&amp;xpires on:</source>
        <translation>E&amp;xpires on:</translation>
    </message>
    <message>
        <source>The key expires</source>
        <translation>The key expires</translation>
    </message>
    <message>
        <source>Expiry date and time</source>
        <translation>Expiry date and time</translation>
    </message>
    <message>
        <source>Create API key error</source>
        <translation>Create API key error</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Create</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>Create API key</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
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
        <translation>&amp;Range:</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Client:</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>Last 90 days</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Custom…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>From</translation>
    </message>
    <message>
        <source>To</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Read the figures again</source>
        <translation>Read the figures again</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Messages today</source>
        <translation>Messages today</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Delivery rate</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Read rate</translation>
    </message>
    <message>
        <source>Avg. first response</source>
        <translation>Avg. first response</translation>
    </message>
    <message>
        <source>Ready sessions</source>
        <translation>Ready sessions</translation>
    </message>
    <message>
        <source>Queued messages</source>
        <translation>Queued messages</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Per client</translation>
    </message>
    <message>
        <source>Per team member</source>
        <translation>Per team member</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Per day</translation>
    </message>
    <message>
        <source>Outbound messages each member wrote and the conversations they answered (messages written on the phone have no author and are in no row)</source>
        <translation>Outbound messages each member wrote and the conversations they answered (messages written on the phone have no author and are in no row)</translation>
    </message>
    <message>
        <source>View as &amp;JSON…</source>
        <translation>View as &amp;JSON…</translation>
    </message>
    <message>
        <source>Save the Dashboard as JSON</source>
        <translation>Save the Dashboard as JSON</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Per-client table as &amp;CSV…</source>
        <translation>Per-client table as &amp;CSV…</translation>
    </message>
    <message>
        <source>Per-member table as CSV…</source>
        <translation>Per-member table as CSV…</translation>
    </message>
    <message>
        <source>Per-day table as CSV…</source>
        <translation>Per-day table as CSV…</translation>
    </message>
    <message>
        <source>Save a table as CSV</source>
        <translation>Save a table as CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>“%1” as PNG…</source>
        <translation>“%1” as PNG…</translation>
    </message>
    <message>
        <source>Save a chart as PNG</source>
        <translation>Save a chart as PNG</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG image (*.png)</translation>
    </message>
    <message>
        <source>Report as &amp;PDF…</source>
        <translation>Report as &amp;PDF…</translation>
    </message>
    <message>
        <source>Save the report as PDF</source>
        <translation>Save the report as PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>All clients</source>
        <translation>All clients</translation>
    </message>
    <message>
        <source>Reading the figures…</source>
        <translation>Reading the figures…</translation>
    </message>
    <message>
        <source>Could not read the figures: %1</source>
        <translation>Could not read the figures: %1</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>%1 · %2 · days in %3 · updated %4</source>
        <translation>%1 · %2 · days in %3 · updated %4</translation>
    </message>
    <message>
        <source>%1 in total, in and out</source>
        <translation>%1 in total, in and out</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 of %2 sent</translation>
    </message>
    <message>
        <source>nothing sent in the range</source>
        <translation>nothing sent in the range</translation>
    </message>
    <message>
        <source>median %1 · %2 of %3 answered</source>
        <translation>median %1 · %2 of %3 answered</translation>
    </message>
    <message>
        <source>no conversation answered in the range</source>
        <translation>no conversation answered in the range</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>local time</source>
        <translation>local time</translation>
    </message>
    <message>
        <source>The figures could not be read (%1).
The Dashboard tries again with the next message, or use Refresh.</source>
        <translation>The figures could not be read (%1).
The Dashboard tries again with the next message, or use Refresh.</translation>
    </message>
    <message>
        <source>No WhatsApp clients yet.
Add one with File → Add Client, link its phone, and the daily volume, delivery and read rates, response times and busiest hours of its messages appear here.</source>
        <translation>No WhatsApp clients yet.
Add one with File → Add Client, link its phone, and the daily volume, delivery and read rates, response times and busiest hours of its messages appear here.</translation>
    </message>
    <message>
        <source>No WhatsApp clients are assigned to you yet.
Once an admin assigns you clients, the daily volume, rates, response times and busiest hours of their messages appear here.</source>
        <translation>No WhatsApp clients are assigned to you yet.
Once an admin assigns you clients, the daily volume, rates, response times and busiest hours of their messages appear here.</translation>
    </message>
    <message>
        <source>No messages were sent or received %1 %2.
The daily volume, delivery and read rates, response times and busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.</source>
        <translation>No messages were sent or received %1 %2.
The daily volume, delivery and read rates, response times and busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.</translation>
    </message>
    <message>
        <source>on</source>
        <translation>on</translation>
    </message>
    <message>
        <source>from</source>
        <translation>from</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 to %2</translation>
    </message>
    <message>
        <source>
(Only %1 is shown: choose All clients to see the others.)</source>
        <translation>
(Only %1 is shown: choose All clients to see the others.)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>no clients to run</source>
        <translation>no clients to run</translation>
    </message>
    <message>
        <source>WhatsApp sessions ready now</source>
        <translation>WhatsApp sessions ready now</translation>
    </message>
    <message>
        <source>accepted, waiting to be sent</source>
        <translation>accepted, waiting to be sent</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Cannot write %1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>Cannot write %1</translation>
    </message>
</context>
<context>
    <name>wadesk::DeleteClientDialog</name>
    <message>
        <source>Delete Client</source>
        <translation>Delete Client</translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation>"%1"</translation>
    </message>
    <message>
        <source>&quot;%1&quot; (%2)</source>
        <translation>"%1" (%2)</translation>
    </message>
    <message>
        <source>Deleting %1 cannot be undone:</source>
        <translation>Deleting %1 cannot be undone:</translation>
    </message>
    <message>
        <source>• Its WhatsApp session, running now, stops, and this computer&apos;s link to the number is removed.</source>
        <translation>• Its WhatsApp session, running now, stops, and this computer's link to the number is removed.</translation>
    </message>
    <message>
        <source>• This computer&apos;s link to the number is removed.</source>
        <translation>• This computer's link to the number is removed.</translation>
    </message>
    <message>
        <source>WhatsApp stays on the phone; the number can be linked to a new client later.</source>
        <translation>WhatsApp stays on the phone; the number can be linked to a new client later.</translation>
    </message>
    <message>
        <source>• Every message of this client is deleted: its whole history and its conversations.</source>
        <translation>• Every message of this client is deleted: its whole history and its conversations.</translation>
    </message>
    <message>
        <source>• Messages queued now and never to be sent: %1.</source>
        <translation>• Messages queued now and never to be sent: %1.</translation>
    </message>
    <message>
        <source>• Nothing is queued now; anything queued until then is never sent.</source>
        <translation>• Nothing is queued now; anything queued until then is never sent.</translation>
    </message>
    <message>
        <source>• Its rate limits, proxy assignment and team members&apos; assignments to it go too.</source>
        <translation>• Its rate limits, proxy assignment and team members' assignments to it go too.</translation>
    </message>
    <message>
        <source>The audit log keeps a record of the deletion.</source>
        <translation>The audit log keeps a record of the deletion.</translation>
    </message>
    <message>
        <source>Type the client&apos;s name, %1, to confirm:</source>
        <translation>Type the client's name, %1, to confirm:</translation>
    </message>
    <message>
        <source>Client name to confirm the deletion</source>
        <translation>Client name to confirm the deletion</translation>
    </message>
    <message>
        <source>&amp;Delete Client</source>
        <translation>&amp;Delete Client</translation>
    </message>
    <message>
        <source>Delete the client</source>
        <translation>Delete the client</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>wadesk::DeliveryLogModel</name>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>Delivering</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Retrying</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Succeeded</translation>
    </message>
    <message>
        <source>Dead letter</source>
        <translation>Dead letter</translation>
    </message>
    <message>
        <source>%1, %2, %3, attempts: %4</source>
        <translation>%1, %2, %3, attempts: %4</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Event</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Your role may not manage webhooks.</translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <source>&amp;Show WaDesk</source>
        <translation>&amp;Show WaDesk</translation>
    </message>
    <message>
        <source>&amp;Pause all clients</source>
        <translation>&amp;Pause all clients</translation>
    </message>
    <message>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation>Stop every client's send queue until it is resumed</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>Desktop &amp;notifications</translation>
    </message>
    <message>
        <source>Show a notification when a message arrives</source>
        <translation>Show a notification when a message arrives</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Quit WaDesk</source>
        <translation>&amp;Quit WaDesk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation>New message from %1</translation>
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
        <translation>WaDesk: %n unread message(s)&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;WaDesk: %n unread message&lt;/numerusform&gt;
            &lt;numerusform&gt;WaDesk: %n unread messages&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;WaDesk: no unread messages</translation>
    </message>
    <message>
        <source>Pause all clients</source>
        <translation>Pause all clients</translation>
    </message>
    <message>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</translation>
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
        <translation>%n client(s) paused.&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n client paused.&lt;/numerusform&gt;
            &lt;numerusform&gt;%n clients paused.&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
&lt;/context&gt;
&lt;context&gt;
    &lt;name&gt;wadesk::ErrorText&lt;/name&gt;
    &lt;message&gt;
        &lt;source&gt;The name must be 1 to 100 characters.</translation>
    </message>
    <message>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation>The organization name must be 1 to 200 characters.</translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation>This is not a valid email address.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters.</source>
        <translation>The password must be %1 to %2 characters.</translation>
    </message>
    <message>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation>Choose a role: admin, manager, agent or viewer.</translation>
    </message>
    <message>
        <source>The message must not be empty.</source>
        <translation>The message must not be empty.</translation>
    </message>
    <message>
        <source>This is not a valid phone number.</source>
        <translation>This is not a valid phone number.</translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation>You do not have permission to do this.</translation>
    </message>
    <message>
        <source>You may not manage members with this role.</source>
        <translation>You may not manage members with this role.</translation>
    </message>
    <message>
        <source>It does not exist any more, or you may not see it.</source>
        <translation>It does not exist any more, or you may not see it.</translation>
    </message>
    <message>
        <source>Invalid email or password.</source>
        <translation>Invalid email or password.</translation>
    </message>
    <message>
        <source>The account is disabled.</source>
        <translation>The account is disabled.</translation>
    </message>
    <message>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation>Too many failed sign-in attempts; try again later.</translation>
    </message>
    <message>
        <source>A user with this email already exists.</source>
        <translation>A user with this email already exists.</translation>
    </message>
    <message>
        <source>The organization needs at least one active admin.</source>
        <translation>The organization needs at least one active admin.</translation>
    </message>
    <message>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation>You cannot change your own role, disable or remove yourself.</translation>
    </message>
    <message>
        <source>A client with this phone number already exists.</source>
        <translation>A client with this phone number already exists.</translation>
    </message>
    <message>
        <source>The client is not running.</source>
        <translation>The client is not running.</translation>
    </message>
    <message>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation>The client is not ready: link it by scanning its QR code first.</translation>
    </message>
    <message>
        <source>The client is paused; resume it to send.</source>
        <translation>The client is paused; resume it to send.</translation>
    </message>
    <message>
        <source>The contact opted out of messages.</source>
        <translation>The contact opted out of messages.</translation>
    </message>
    <message>
        <source>Rate limit reached for this client.</source>
        <translation>Rate limit reached for this client.</translation>
    </message>
    <message>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation>WhatsApp sessions do not run in this process.</translation>
    </message>
    <message>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation>Something went wrong inside WaDesk; the log has the details.</translation>
    </message>
    <message>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation>This proxy is already in the pool (same host, port and username).</translation>
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
        <translation>%n clients use this proxy: assign them another proxy, or none, before deleting it.&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;%n client uses this proxy: assign it another proxy, or none, before deleting it.&lt;/numerusform&gt;
            &lt;numerusform&gt;%n clients use this proxy: assign them another proxy, or none, before deleting it.&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;This proxy already serves its maximum of clients: choose another one or raise its maximum.</translation>
    </message>
    <message>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation>No proxy is free: each one is down or serves its maximum of clients.</translation>
    </message>
    <message>
        <source>This client does not allow moving it to another proxy.</source>
        <translation>This client does not allow moving it to another proxy.</translation>
    </message>
    <message>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation>Choose the proxy type: HTTP or SOCKS5.</translation>
    </message>
    <message>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation>The host must be a host name or an IP address, without spaces.</translation>
    </message>
    <message>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>The port must be a number from 1 to 65535.</translation>
    </message>
    <message>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation>The username must be at most 255 bytes, without control characters (and without ":" for an HTTP proxy).</translation>
    </message>
    <message>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation>The proxy password must be at most 255 bytes without control characters, and needs a username.</translation>
    </message>
    <message>
        <source>The label must be 1 to 100 characters.</source>
        <translation>The label must be 1 to 100 characters.</translation>
    </message>
    <message>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation>The country must be a two-letter code such as DE or US.</translation>
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
        <translation>The most clients cannot go below the %n clients using the proxy.&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;The most clients cannot go below the %n client using the proxy.&lt;/numerusform&gt;
            &lt;numerusform&gt;The most clients cannot go below the %n clients using the proxy.&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;The most clients must be a number from 1 to 1000.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>The file is empty.</translation>
    </message>
    <message>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation>The file is damaged or truncated, or not what its type says.</translation>
    </message>
    <message>
        <source>The file is larger than WaDesk accepts.</source>
        <translation>The file is larger than WaDesk accepts.</translation>
    </message>
    <message>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation>The file's content does not match its declared type.</translation>
    </message>
    <message>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation>The organization's media storage is full: remove files or ask an admin to raise the quota.</translation>
    </message>
    <message>
        <source>A message waiting to be sent still needs this file.</source>
        <translation>A message waiting to be sent still needs this file.</translation>
    </message>
    <message>
        <source>Media storage is not available.</source>
        <translation>Media storage is not available.</translation>
    </message>
    <message>
        <source>The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.</source>
        <translation>The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.</translation>
    </message>
    <message>
        <source>Choose 1 to 50 events to send.</source>
        <translation>Choose 1 to 50 events to send.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>The expiry must be in the future.</translation>
    </message>
    <message>
        <source>This client cannot be linked now: it is not showing its QR code.</source>
        <translation>This client cannot be linked now: it is not showing its QR code.</translation>
    </message>
    <message>
        <source>WhatsApp gave no code for this number. Check that the number uses WhatsApp.</source>
        <translation>WhatsApp gave no code for this number. Check that the number uses WhatsApp.</translation>
    </message>
    <message>
        <source>WhatsApp Web did not answer. Try again.</source>
        <translation>WhatsApp Web did not answer. Try again.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <source>REST API</source>
        <translation>REST API</translation>
    </message>
    <message>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Other systems send and receive messages through WaDesk's REST API. By default it answers only on this computer.</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API address</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Address:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>API port</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>I understand that this address &amp;exposes the API to the network</translation>
    </message>
    <message>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Acknowledge that the API is exposed to the network</translation>
    </message>
    <message>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</translation>
    </message>
    <message>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</translation>
    </message>
    <message>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <source>Database</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</translation>
    </message>
    <message>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>&amp;Embedded database (SQLite, recommended)</translation>
    </message>
    <message>
        <source>Embedded SQLite database</source>
        <translation>Embedded SQLite database</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>File: %1</translation>
    </message>
    <message>
        <source>&amp;PostgreSQL server</source>
        <translation>&amp;PostgreSQL server</translation>
    </message>
    <message>
        <source>PostgreSQL server</source>
        <translation>PostgreSQL server</translation>
    </message>
    <message>
        <source>PostgreSQL URL</source>
        <translation>PostgreSQL URL</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>&amp;Test connection</translation>
    </message>
    <message>
        <source>Test the PostgreSQL connection</source>
        <translation>Test the PostgreSQL connection</translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation>Connection test result</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>Connected.</translation>
    </message>
    <message>
        <source>The connection failed: %1</source>
        <translation>The connection failed: %1</translation>
    </message>
    <message>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Enter a URL of the form postgres://user:password@host:5432/database.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connecting to %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <source>Your organization</source>
        <translation>Your organization</translation>
    </message>
    <message>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk keeps each organization's clients, messages and team apart. Create yours and its first administrator: you.</translation>
    </message>
    <message>
        <source>&amp;Organization:</source>
        <translation>&amp;Organization:</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Organization name</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Your &amp;name:</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Your name</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;Email:</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Email address</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
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
        <translation>at least %n characters&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;at least %n character&lt;/numerusform&gt;
            &lt;numerusform&gt;at least %n characters&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;&amp;Confirm password:</translation>
    </message>
    <message>
        <source>Confirm password</source>
        <translation>Confirm password</translation>
    </message>
    <message>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Enter the organization's name (at most 200 characters).</translation>
    </message>
    <message>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Enter your name (at most 100 characters).</translation>
    </message>
    <message>
        <source>Enter a valid email address.</source>
        <translation>Enter a valid email address.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>The password must be %1 to %2 characters long.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>The two passwords differ.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <source>Secrets</source>
        <translation>Secrets</translation>
    </message>
    <message>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</translation>
    </message>
    <message>
        <source>The system &amp;keychain</source>
        <translation>The system &amp;keychain</translation>
    </message>
    <message>
        <source>Keep the master key in the system keychain</source>
        <translation>Keep the master key in the system keychain</translation>
    </message>
    <message>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>A key &amp;file readable only by you (%1)</translation>
    </message>
    <message>
        <source>Keep the master key in a key file</source>
        <translation>Keep the master key in a key file</translation>
    </message>
    <message>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>The &amp;environment variable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Take the master key from WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>Keychain check result</source>
        <translation>Keychain check result</translation>
    </message>
    <message>
        <source>Check the keychain &amp;again</source>
        <translation>Check the keychain &amp;again</translation>
    </message>
    <message>
        <source>Check the system keychain again</source>
        <translation>Check the system keychain again</translation>
    </message>
    <message>
        <source>Checking the system keychain…</source>
        <translation>Checking the system keychain…</translation>
    </message>
    <message>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>The system keychain works here: it is the recommended place.</translation>
    </message>
    <message>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</translation>
    </message>
    <message>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</translation>
    </message>
    <message>
        <source>no Secret Service or KWallet</source>
        <translation>no Secret Service or KWallet</translation>
    </message>
    <message>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</translation>
    </message>
    <message>
        <source>Checking the system keychain… If the system asks to create or unlock a keyring, answer it.</source>
        <translation>Checking the system keychain… If the system asks to create or unlock a keyring, answer it.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSetup</name>
    <message>
        <source>The host name %1 cannot be found. Check its spelling, or use the server&apos;s IP address.</source>
        <translation>The host name %1 cannot be found. Check its spelling, or use the server's IP address.</translation>
    </message>
    <message>
        <source>Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network address (listen_addresses)?</source>
        <translation>Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network address (listen_addresses)?</translation>
    </message>
    <message>
        <source>%1 did not answer in time. Check the address and port, and that no firewall is in the way.</source>
        <translation>%1 did not answer in time. Check the address and port, and that no firewall is in the way.</translation>
    </message>
    <message>
        <source>The server refused the password for the user %1.</source>
        <translation>The server refused the password for the user %1.</translation>
    </message>
    <message>
        <source>The server has no user %1. Create it (createuser) or use another.</source>
        <translation>The server has no user %1. Create it (createuser) or use another.</translation>
    </message>
    <message>
        <source>The server has no database %1. Create it first (createdb -O %2 %1).</source>
        <translation>The server has no database %1. Create it first (createdb -O %2 %1).</translation>
    </message>
    <message>
        <source>The server does not accept connections from this computer for the user %1: add a line for it to the server&apos;s pg_hba.conf.</source>
        <translation>The server does not accept connections from this computer for the user %1: add a line for it to the server's pg_hba.conf.</translation>
    </message>
    <message>
        <source>The connection to %1 failed.</source>
        <translation>The connection to %1 failed.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Nothing has been written yet. Press Finish to create the organization and save these settings.</translation>
    </message>
    <message>
        <source>Summary of the choices</source>
        <translation>Summary of the choices</translation>
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
        <translation>the system keychain</translation>
    </message>
    <message>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>the environment variable WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation>key file %1</translation>
    </message>
    <message>
        <source>(exposed to the network)</source>
        <translation>(exposed to the network)</translation>
    </message>
    <message>
        <source>Organization</source>
        <translation>Organization</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Database</translation>
    </message>
    <message>
        <source>Master key</source>
        <translation>Master key</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>REST API</translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation>Settings file</translation>
    </message>
    <message>
        <source>Creating the organization and saving the settings…</source>
        <translation>Creating the organization and saving the settings…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Welcome to %1</source>
        <translation>Welcome to %1</translation>
    </message>
    <message>
        <source>WaDesk could not be set up: %1</source>
        <translation>WaDesk could not be set up: %1</translation>
    </message>
    <message>
        <source>WaDesk is ready</source>
        <translation>WaDesk is ready</translation>
    </message>
    <message>
        <source>The organization %1 and its administrator %2 were created. Sign in next.

Below is the organization&apos;s first API key. Copy it now if an integration needs it; you can create others later.</source>
        <translation>The organization %1 and its administrator %2 were created. Sign in next.

Below is the organization's first API key. Copy it now if an integration needs it; you can create others later.</translation>
    </message>
</context>
<context>
    <name>wadesk::HeatmapWidget</name>
    <message>
        <source>%1 %2:00–%3:00: %4 sent, %5 received</source>
        <translation>%1 %2:00–%3:00: %4 sent, %5 received</translation>
    </message>
</context>
<context>
    <name>wadesk::LinkPanel</name>
    <message>
        <source>Link this client</source>
        <translation>Link this client</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.</source>
        <translation>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;New code</translation>
    </message>
    <message>
        <source>Show a new QR code</source>
        <translation>Show a new QR code</translation>
    </message>
    <message>
        <source>Link with &amp;phone number instead…</source>
        <translation>Link with &amp;phone number instead…</translation>
    </message>
    <message>
        <source>Link with phone number instead</source>
        <translation>Link with phone number instead</translation>
    </message>
    <message>
        <source>Asking WhatsApp for a new code…</source>
        <translation>Asking WhatsApp for a new code…</translation>
    </message>
    <message>
        <source>Waiting for the code…</source>
        <translation>Waiting for the code…</translation>
    </message>
    <message>
        <source>No QR code yet</source>
        <translation>No QR code yet</translation>
    </message>
    <message>
        <source>QR code to link %1</source>
        <translation>QR code to link %1</translation>
    </message>
    <message>
        <source>The code expired. Click &quot;New code&quot; for another one.</source>
        <translation>The code expired. Click "New code" for another one.</translation>
    </message>
    <message>
        <source>WhatsApp has not given a code yet.</source>
        <translation>WhatsApp has not given a code yet.</translation>
    </message>
    <message>
        <source>This code changes in %1:%2.</source>
        <translation>This code changes in %1:%2.</translation>
    </message>
    <message>
        <source>This code is about to change.</source>
        <translation>This code is about to change.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <source>WhatsApp clients</source>
        <translation>WhatsApp clients</translation>
    </message>
    <message>
        <source>Selected client</source>
        <translation>Selected client</translation>
    </message>
    <message>
        <source>&amp;WhatsApp</source>
        <translation>&amp;WhatsApp</translation>
    </message>
    <message>
        <source>C&amp;onversations</source>
        <translation>C&amp;onversations</translation>
    </message>
    <message>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation>The client's live WhatsApp Web page (Ctrl+1)</translation>
    </message>
    <message>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation>Contacts, messages and sending (Ctrl+2)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Find Contact</source>
        <translation>&amp;Find Contact</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;WhatsApp Page</source>
        <translation>&amp;WhatsApp Page</translation>
    </message>
    <message>
        <source>&amp;Conversations</source>
        <translation>&amp;Conversations</translation>
    </message>
    <message>
        <source>Client &amp;List</source>
        <translation>Client &amp;List</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation>Main Toolbar</translation>
    </message>
    <message>
        <source>&amp;Client</source>
        <translation>&amp;Client</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About WaDesk</source>
        <translation>&amp;About WaDesk</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>About &amp;Qt</translation>
    </message>
    <message>
        <source>&amp;Team…</source>
        <translation>&amp;Team…</translation>
    </message>
    <message>
        <source>Add team members, change their roles and assign clients</source>
        <translation>Add team members, change their roles and assign clients</translation>
    </message>
    <message>
        <source>Secrets: %1</source>
        <translation>Secrets: %1</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>checking</source>
        <translation>checking</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>degraded (HTTP %1)</source>
        <translation>degraded (HTTP %1)</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>not answering</translation>
    </message>
    <message>
        <source>API: off</source>
        <translation>API: off</translation>
    </message>
    <message>
        <source>API: %1 (%2)</source>
        <translation>API: %1 (%2)</translation>
    </message>
    <message>
        <source>Show &amp;WhatsApp Page</source>
        <translation>Show &amp;WhatsApp Page</translation>
    </message>
    <message>
        <source>Show &amp;Conversations</source>
        <translation>Show &amp;Conversations</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team's WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(not loaded)</source>
        <translation>(not loaded)</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Database: %1</translation>
    </message>
    <message>
        <source>Ready: %1 of %2</source>
        <translation>Ready: %1 of %2</translation>
    </message>
    <message>
        <source>About WaDesk</source>
        <translation>About WaDesk</translation>
    </message>
    <message>
        <source>&amp;Proxies</source>
        <translation>&amp;Proxies</translation>
    </message>
    <message>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation>The proxy pool: each client's own address, its health, and which client uses which</translation>
    </message>
    <message>
        <source>Proxies (Ctrl+3)</source>
        <translation>Proxies (Ctrl+3)</translation>
    </message>
    <message>
        <source>Assign &amp;Proxy…</source>
        <translation>Assign &amp;Proxy…</translation>
    </message>
    <message>
        <source>Choose the proxy the selected client uses</source>
        <translation>Choose the proxy the selected client uses</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>&amp;Dashboard</translation>
    </message>
    <message>
        <source>Messages, delivery and read rates, response times and busiest hours, with exports</source>
        <translation>Messages, delivery and read rates, response times and busiest hours, with exports</translation>
    </message>
    <message>
        <source>Dashboard (Ctrl+4)</source>
        <translation>Dashboard (Ctrl+4)</translation>
    </message>
    <message>
        <source>Ready: %1 of %2 (%3 paused)</source>
        <translation>Ready: %1 of %2 (%3 paused)</translation>
    </message>
    <message>
        <source>Clients whose WhatsApp session is linked and running, of the clients you see (paused ones included: their queue waits)</source>
        <translation>Clients whose WhatsApp session is linked and running, of the clients you see (paused ones included: their queue waits)</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Admin</translation>
    </message>
    <message>
        <source>&amp;Webhooks…</source>
        <translation>&amp;Webhooks…</translation>
    </message>
    <message>
        <source>The endpoints that receive events, their deliveries and dead letters</source>
        <translation>The endpoints that receive events, their deliveries and dead letters</translation>
    </message>
    <message>
        <source>API &amp;Keys…</source>
        <translation>API &amp;Keys…</translation>
    </message>
    <message>
        <source>Create and revoke keys for the REST API</source>
        <translation>Create and revoke keys for the REST API</translation>
    </message>
    <message>
        <source>A&amp;udit Log…</source>
        <translation>A&amp;udit Log…</translation>
    </message>
    <message>
        <source>Who did what, when; verify the log&apos;s hash chain; export it</source>
        <translation>Who did what, when; verify the log's hash chain; export it</translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation>&amp;Contacts…</translation>
    </message>
    <message>
        <source>Every contact with its tags and opt-out; search and edit</source>
        <translation>Every contact with its tags and opt-out; search and edit</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>Organization, client limits and this installation&apos;s settings</source>
        <translation>Organization, client limits and this installation's settings</translation>
    </message>
    <message>
        <source>My &amp;Account…</source>
        <translation>My &amp;Account…</translation>
    </message>
    <message>
        <source>Change your password; delete a client</source>
        <translation>Change your password; delete a client</translation>
    </message>
    <message>
        <source>Ca&amp;mpaigns…</source>
        <translation>Ca&amp;mpaigns…</translation>
    </message>
    <message>
        <source>Bulk sending: campaigns with their progress; create, start, pause, resume, cancel</source>
        <translation>Bulk sending: campaigns with their progress; create, start, pause, resume, cancel</translation>
    </message>
    <message>
        <source>&amp;Templates and Replies…</source>
        <translation>&amp;Templates and Replies…</translation>
    </message>
    <message>
        <source>Message templates, quick replies and auto-reply rules</source>
        <translation>Message templates, quick replies and auto-reply rules</translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <source>Media storage: %1</source>
        <translation>Media storage: %1</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation>Media storage: %1 of %2 (%3%)</translation>
    </message>
    <message>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation>Files stored for your organization (each file counted once), of its quota</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation>Media storage: %1 of %2 (under %3%)</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <source>Not sent</source>
        <translation>Not sent</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Not sent: %1</translation>
    </message>
    <message>
        <source>%1 — not downloaded</source>
        <translation>%1 — not downloaded</translation>
    </message>
    <message>
        <source>%1 — the file is no longer stored</source>
        <translation>%1 — the file is no longer stored</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 — downloading…</source>
        <translation>%1 — downloading…</translation>
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
        <translation>Sent to %1 at %2: %3</translation>
    </message>
    <message>
        <source>From %1 at %2: %3</source>
        <translation>From %1 at %2: %3</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <source>Queued</source>
        <translation>Queued</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Sending</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Sent by you at %1, %2: %3</source>
        <translation>Sent by you at %1, %2: %3</translation>
    </message>
    <message>
        <source>Received at %1: %2</source>
        <translation>Received at %1: %2</translation>
    </message>
    <message>
        <source> (failed: %1)</source>
        <translation> (failed: %1)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
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
        <translation>Voice message</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Document</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Contact card</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
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
        <translation> (the file was not downloaded)</translation>
    </message>
    <message>
        <source> (the file is no longer stored)</source>
        <translation> (the file is no longer stored)</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Deleted message</translation>
    </message>
    <message>
        <source> (the file is being downloaded)</source>
        <translation> (the file is being downloaded)</translation>
    </message>
    <message>
        <source> (the file was not downloaded: %1)</source>
        <translation> (the file was not downloaded: %1)</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>dddd, d MMMM</source>
        <translation>dddd, d MMMM</translation>
    </message>
    <message>
        <source>d MMMM yyyy</source>
        <translation>d MMMM yyyy</translation>
    </message>
</context>
<context>
    <name>wadesk::OneTimeSecretDialog</name>
    <message>
        <source>The key, shown this once</source>
        <translation>The key, shown this once</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copy</translation>
    </message>
    <message>
        <source>Copy the key to the clipboard</source>
        <translation>Copy the key to the clipboard</translation>
    </message>
    <message>
        <source>It cannot be shown again once this window is closed.</source>
        <translation>It cannot be shown again once this window is closed.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copied to the clipboard.</translation>
    </message>
</context>
<context>
    <name>wadesk::PairingCodeDialog</name>
    <message>
        <source>Link %1 with a phone number</source>
        <translation>Link %1 with a phone number</translation>
    </message>
    <message>
        <source>Type the number of the phone to link, with its country code. WhatsApp gives a code to type on that phone instead of scanning the QR code.</source>
        <translation>Type the number of the phone to link, with its country code. WhatsApp gives a code to type on that phone instead of scanning the QR code.</translation>
    </message>
    <message>
        <source>+14155550123</source>
        <translation>+14155550123</translation>
    </message>
    <message>
        <source>Phone number to link</source>
        <translation>Phone number to link</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>&amp;Phone number:</translation>
    </message>
    <message>
        <source>&amp;Get code</source>
        <translation>&amp;Get code</translation>
    </message>
    <message>
        <source>Pairing code error</source>
        <translation>Pairing code error</translation>
    </message>
    <message>
        <source>&amp;Copy code</source>
        <translation>&amp;Copy code</translation>
    </message>
    <message>
        <source>On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type this code. WhatsApp may also show a notification to open.</source>
        <translation>On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type this code. WhatsApp may also show a notification to open.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copied</translation>
    </message>
    <message>
        <source>Asking WhatsApp…</source>
        <translation>Asking WhatsApp…</translation>
    </message>
    <message>
        <source>&amp;Get a new code</source>
        <translation>&amp;Get a new code</translation>
    </message>
    <message>
        <source>Pairing code %1</source>
        <translation>Pairing code %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxies are not available: WaDesk runs without its secret store.</translation>
    </message>
    <message>
        <source>Proxies</source>
        <translation>Proxies</translation>
    </message>
    <message>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</translation>
    </message>
    <message>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation>No proxies yet. Add one to give each number its own address.</translation>
    </message>
    <message>
        <source>&amp;Add Proxy…</source>
        <translation>&amp;Add Proxy…</translation>
    </message>
    <message>
        <source>Add proxy</source>
        <translation>Add proxy</translation>
    </message>
    <message>
        <source>Add a proxy to the pool</source>
        <translation>Add a proxy to the pool</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Edit…</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Edit proxy</translation>
    </message>
    <message>
        <source>Change the selected proxy</source>
        <translation>Change the selected proxy</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>Delete proxy</source>
        <translation>Delete proxy</translation>
    </message>
    <message>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation>Remove the selected proxy from the pool (only when no client uses it)</translation>
    </message>
    <message>
        <source>A&amp;ssign to Client…</source>
        <translation>A&amp;ssign to Client…</translation>
    </message>
    <message>
        <source>Assign proxy to a client</source>
        <translation>Assign proxy to a client</translation>
    </message>
    <message>
        <source>Choose the proxy a client uses</source>
        <translation>Choose the proxy a client uses</translation>
    </message>
    <message>
        <source>&amp;Test Now</source>
        <translation>&amp;Test Now</translation>
    </message>
    <message>
        <source>Test proxy now</source>
        <translation>Test proxy now</translation>
    </message>
    <message>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</translation>
    </message>
    <message>
        <source>Proxies error</source>
        <translation>Proxies error</translation>
    </message>
    <message>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation>Admins add, change and delete proxies; you can assign them to clients.</translation>
    </message>
    <message>
        <source>Added the proxy %1.</source>
        <translation>Added the proxy %1.</translation>
    </message>
    <message>
        <source>Saved the proxy %1.</source>
        <translation>Saved the proxy %1.</translation>
    </message>
    <message>
        <source>Delete the proxy %1 (%2)?</source>
        <translation>Delete the proxy %1 (%2)?</translation>
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
        <translation>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;It is assigned to %n client: a proxy in use cannot be deleted. Assign that client another proxy (or none) first.&lt;/numerusform&gt;
            &lt;numerusform&gt;It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;Deleted the proxy %1.</translation>
    </message>
    <message>
        <source>The client now uses the proxy %1.</source>
        <translation>The client now uses the proxy %1.</translation>
    </message>
    <message>
        <source>The client now connects without a proxy.</source>
        <translation>The client now connects without a proxy.</translation>
    </message>
    <message>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation>Check the selected proxy now: connect through it and measure the time</translation>
    </message>
    <message>
        <source>%1 is reachable (%2 ms).</source>
        <translation>%1 is reachable (%2 ms).</translation>
    </message>
    <message>
        <source>%1 is unreachable: %2</source>
        <translation>%1 is unreachable: %2</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Checking %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <source>Add proxy</source>
        <translation>Add proxy</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Add</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Edit proxy</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>Save proxy</source>
        <translation>Save proxy</translation>
    </message>
    <message>
        <source>leave empty to keep</source>
        <translation>leave empty to keep</translation>
    </message>
    <message>
        <source>Proxy type</source>
        <translation>Proxy type</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation>proxy.example.com or 203.0.113.7</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Username</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Remo&amp;ve the stored password</source>
        <translation>Remo&amp;ve the stored password</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>Remove the stored password</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>host:port when empty</source>
        <translation>host:port when empty</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Country</translation>
    </message>
    <message>
        <source>DE, US, … (optional)</source>
        <translation>DE, US, … (optional)</translation>
    </message>
    <message>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation>The two-letter country code of the proxy's exit. A client's browser takes its time zone and languages from it when its identity sets none.</translation>
    </message>
    <message>
        <source>Most clients</source>
        <translation>Most clients</translation>
    </message>
    <message>
        <source>How many clients may use this proxy at most</source>
        <translation>How many clients may use this proxy at most</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Type:</translation>
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
        <translation>&amp;Username:</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;word:</translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation>&amp;Label:</translation>
    </message>
    <message>
        <source>&amp;Country:</source>
        <translation>&amp;Country:</translation>
    </message>
    <message>
        <source>&amp;Most clients:</source>
        <translation>&amp;Most clients:</translation>
    </message>
    <message>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <source>Healthy (%1 ms)</source>
        <translation>Healthy (%1 ms)</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Healthy</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>Unreachable</translation>
    </message>
    <message>
        <source>Unreachable: %1</source>
        <translation>Unreachable: %1</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>Not checked yet</translation>
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
        <translation>Never</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>%1
since %2</source>
        <translation>%1
since %2</translation>
    </message>
    <message>
        <source>%1
Exit address: %2</source>
        <translation>%1
Exit address: %2</translation>
    </message>
    <message>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation>%1, %2 %3, %4 clients, %5</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>Country</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Health</translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation>Last checked</translation>
    </message>
    <message>
        <source>Your role may not see the proxies.</source>
        <translation>Your role may not see the proxies.</translation>
    </message>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Proxies are not available: WaDesk runs without its secret store.</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyCompleter</name>
    <message>
        <source>Quick replies</source>
        <translation>Quick replies</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyEditDialog</name>
    <message>
        <source>Edit Quick Reply</source>
        <translation>Edit Quick Reply</translation>
    </message>
    <message>
        <source>New Quick Reply</source>
        <translation>New Quick Reply</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Shortcut</translation>
    </message>
    <message>
        <source>greeting</source>
        <translation>greeting</translation>
    </message>
    <message>
        <source>1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it</source>
        <translation>1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it</translation>
    </message>
    <message>
        <source>&amp;Shortcut: /</source>
        <translation>&amp;Shortcut: /</translation>
    </message>
    <message>
        <source>Quick reply text</source>
        <translation>Quick reply text</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Quick reply error</source>
        <translation>Quick reply error</translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <source>Sending limits</source>
        <translation>Sending limits</translation>
    </message>
    <message>
        <source>Limits unavailable: %1</source>
        <translation>Limits unavailable: %1</translation>
    </message>
    <message>
        <source>%1: %2/%3</source>
        <translation>%1: %2/%3</translation>
    </message>
    <message>
        <source>%1 used %2 of %3</source>
        <translation>%1 used %2 of %3</translation>
    </message>
    <message>
        <source>Minute</source>
        <translation>Minute</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Hour</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Day</translation>
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
        <translation>Queue: %n&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;Queue: %n&lt;/numerusform&gt;
            &lt;numerusform&gt;Queue: %n&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;(last leaves about %1)</translation>
    </message>
    <message>
        <source>Sending paused</source>
        <translation>Sending paused</translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <source>Rename client</source>
        <translation>Rename client</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>New name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Rename</translation>
    </message>
</context>
<context>
    <name>wadesk::ReportTableModel</name>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Sent</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Delivered</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Read</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Responses</translation>
    </message>
    <message>
        <source>Avg. response</source>
        <translation>Avg. response</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Member</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Email</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1 d</translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <source>No client selected</source>
        <translation>No client selected</translation>
    </message>
    <message>
        <source>Session state: %1</source>
        <translation>Session state: %1</translation>
    </message>
    <message>
        <source>Waiting for an operator to link this number.</source>
        <translation>Waiting for an operator to link this number.</translation>
    </message>
    <message>
        <source>Linked to %1</source>
        <translation>Linked to %1</translation>
    </message>
    <message>
        <source>Select a client on the left.</source>
        <translation>Select a client on the left.</translation>
    </message>
    <message>
        <source>This client is waiting to be linked by an operator.</source>
        <translation>This client is waiting to be linked by an operator.</translation>
    </message>
    <message>
        <source>The session of this client is starting.</source>
        <translation>The session of this client is starting.</translation>
    </message>
    <message>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation>The session failed: %1
Start it again from the Client menu.</translation>
    </message>
    <message>
        <source>The session of this client is not running.</source>
        <translation>The session of this client is not running.</translation>
    </message>
    <message>
        <source>WhatsApp Web of %1</source>
        <translation>WhatsApp Web of %1</translation>
    </message>
    <message>
        <source>Proxy: unknown</source>
        <translation>Proxy: unknown</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>No proxy</translation>
    </message>
    <message>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</translation>
    </message>
    <message>
        <source>Proxy: %1 · %2</source>
        <translation>Proxy: %1 · %2</translation>
    </message>
    <message>
        <source>%1 proxy at %2</source>
        <translation>%1 proxy at %2</translation>
    </message>
    <message>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation>May move to another healthy proxy when this one is down.</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.</source>
        <translation>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.</translation>
    </message>
    <message>
        <source>The code expired: click &quot;New code&quot;.</source>
        <translation>The code expired: click "New code".</translation>
    </message>
    <message>
        <source>(this replaces %1, the number this client had before)</source>
        <translation>(this replaces %1, the number this client had before)</translation>
    </message>
    <message>
        <source>&amp;Add Your First Client…</source>
        <translation>&amp;Add Your First Client…</translation>
    </message>
    <message>
        <source>&amp;Start Session</source>
        <translation>&amp;Start Session</translation>
    </message>
    <message>
        <source>No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.</source>
        <translation>No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.</translation>
    </message>
    <message>
        <source>No clients are assigned to you yet. Ask an admin or a manager to assign one.</source>
        <translation>No clients are assigned to you yet. Ask an admin or a manager to assign one.</translation>
    </message>
    <message>
        <source>The session of this client is not running. Start it to link or use the number.</source>
        <translation>The session of this client is not running. Start it to link or use the number.</translation>
    </message>
    <message>
        <source>This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.</source>
        <translation>This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.</translation>
    </message>
</context>
<context>
    <name>wadesk::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Settings sections</translation>
    </message>
    <message>
        <source>&amp;Organization</source>
        <translation>&amp;Organization</translation>
    </message>
    <message>
        <source>&amp;Client Limits</source>
        <translation>&amp;Client Limits</translation>
    </message>
    <message>
        <source>&amp;Installation</source>
        <translation>&amp;Installation</translation>
    </message>
    <message>
        <source>Settings error</source>
        <translation>Settings error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Organization name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <source>The zone in which the dashboard and the analytics cut days. Type to search.</source>
        <translation>The zone in which the dashboard and the analytics cut days. Type to search.</translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation>&amp;Time zone:</translation>
    </message>
    <message>
        <source>&amp;Save Organization</source>
        <translation>&amp;Save Organization</translation>
    </message>
    <message>
        <source>Save organization settings</source>
        <translation>Save organization settings</translation>
    </message>
    <message>
        <source>Only admins change the organization&apos;s settings.</source>
        <translation>Only admins change the organization's settings.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time zone; pick one from the list, such as Europe/Paris</source>
        <translation>"%1" is not a time zone; pick one from the list, such as Europe/Paris</translation>
    </message>
    <message>
        <source>Organization settings saved.</source>
        <translation>Organization settings saved.</translation>
    </message>
    <message>
        <source>A client&apos;s own send limits. &quot;Installation default&quot; uses the limits on the Installation tab.</source>
        <translation>A client's own send limits. "Installation default" uses the limits on the Installation tab.</translation>
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
        <translation>Client messages per minute</translation>
    </message>
    <message>
        <source>Client messages per hour</source>
        <translation>Client messages per hour</translation>
    </message>
    <message>
        <source>Client messages per day</source>
        <translation>Client messages per day</translation>
    </message>
    <message>
        <source>Installation default</source>
        <translation>Installation default</translation>
    </message>
    <message>
        <source>Per &amp;minute:</source>
        <translation>Per &amp;minute:</translation>
    </message>
    <message>
        <source>Per &amp;hour:</source>
        <translation>Per &amp;hour:</translation>
    </message>
    <message>
        <source>Per &amp;day:</source>
        <translation>Per &amp;day:</translation>
    </message>
    <message>
        <source>Save &amp;Limits</source>
        <translation>Save &amp;Limits</translation>
    </message>
    <message>
        <source>Save the client&apos;s limits</source>
        <translation>Save the client's limits</translation>
    </message>
    <message>
        <source>No clients yet</source>
        <translation>No clients yet</translation>
    </message>
    <message>
        <source>Pick a client first.</source>
        <translation>Pick a client first.</translation>
    </message>
    <message>
        <source>Limits of %1 saved; they apply to its next message.</source>
        <translation>Limits of %1 saved; they apply to its next message.</translation>
    </message>
    <message>
        <source>These settings are kept in the settings file (%1) and apply when WaDesk starts next. Environment variables and command-line options take precedence over them.</source>
        <translation>These settings are kept in the settings file (%1) and apply when WaDesk starts next. Environment variables and command-line options take precedence over them.</translation>
    </message>
    <message>
        <source>none in this run</source>
        <translation>none in this run</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Sending</translation>
    </message>
    <message>
        <source>Default messages per minute</source>
        <translation>Default messages per minute</translation>
    </message>
    <message>
        <source>Default messages per hour</source>
        <translation>Default messages per hour</translation>
    </message>
    <message>
        <source>Default messages per day</source>
        <translation>Default messages per day</translation>
    </message>
    <message>
        <source>Per minute:</source>
        <translation>Per minute:</translation>
    </message>
    <message>
        <source>Per hour:</source>
        <translation>Per hour:</translation>
    </message>
    <message>
        <source>Per day:</source>
        <translation>Per day:</translation>
    </message>
    <message>
        <source>&amp;Pace like a person (typing time and pauses between messages)</source>
        <translation>&amp;Pace like a person (typing time and pauses between messages)</translation>
    </message>
    <message>
        <source>Human pacing</source>
        <translation>Human pacing</translation>
    </message>
    <message>
        <source>Opt-out keywords</source>
        <translation>Opt-out keywords</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender out.</source>
        <translation>Separated by commas. A message that is exactly one of them opts its sender out.</translation>
    </message>
    <message>
        <source>Opt-&amp;out keywords:</source>
        <translation>Opt-&amp;out keywords:</translation>
    </message>
    <message>
        <source>Opt-in keywords</source>
        <translation>Opt-in keywords</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender back in.</source>
        <translation>Separated by commas. A message that is exactly one of them opts its sender back in.</translation>
    </message>
    <message>
        <source>Opt-i&amp;n keywords:</source>
        <translation>Opt-i&amp;n keywords:</translation>
    </message>
    <message>
        <source>Data retention</source>
        <translation>Data retention</translation>
    </message>
    <message>
        <source>Days to keep messages</source>
        <translation>Days to keep messages</translation>
    </message>
    <message>
        <source>Days to keep files</source>
        <translation>Days to keep files</translation>
    </message>
    <message>
        <source>Days to keep events</source>
        <translation>Days to keep events</translation>
    </message>
    <message>
        <source>Days to keep webhook deliveries</source>
        <translation>Days to keep webhook deliveries</translation>
    </message>
    <message>
        <source>Days to keep dead letters</source>
        <translation>Days to keep dead letters</translation>
    </message>
    <message>
        <source>&amp;Messages:</source>
        <translation>&amp;Messages:</translation>
    </message>
    <message>
        <source>&amp;Files:</source>
        <translation>&amp;Files:</translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation>&amp;Events:</translation>
    </message>
    <message>
        <source>&amp;Webhook deliveries:</source>
        <translation>&amp;Webhook deliveries:</translation>
    </message>
    <message>
        <source>Dead &amp;letters:</source>
        <translation>Dead &amp;letters:</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>REST API</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>API address</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Address:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>API port</translation>
    </message>
    <message>
        <source>Any free port</source>
        <translation>Any free port</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>P&amp;ort:</translation>
    </message>
    <message>
        <source>Allow &amp;remote access (an address other than this computer&apos;s)</source>
        <translation>Allow &amp;remote access (an address other than this computer's)</translation>
    </message>
    <message>
        <source>Allow remote API access</source>
        <translation>Allow remote API access</translation>
    </message>
    <message>
        <source>WaDesk must be restarted for a new address or port to apply. Now: %1</source>
        <translation>WaDesk must be restarted for a new address or port to apply. Now: %1</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>Lan&amp;guage:</translation>
    </message>
    <message>
        <source>Save Installation Settings</source>
        <translation>Save Installation Settings</translation>
    </message>
    <message>
        <source>Save installation settings</source>
        <translation>Save installation settings</translation>
    </message>
    <message>
        <source>Saved. Restart WaDesk to apply the installation settings.</source>
        <translation>Saved. Restart WaDesk to apply the installation settings.</translation>
    </message>
    <message>
        <source>No&amp;tifications</source>
        <translation>No&amp;tifications</translation>
    </message>
    <message>
        <source>Show a desktop &amp;notification when a message arrives while WaDesk is not in front</source>
        <translation>Show a desktop &amp;notification when a message arrives while WaDesk is not in front</translation>
    </message>
    <message>
        <source>Desktop notifications for new messages</source>
        <translation>Desktop notifications for new messages</translation>
    </message>
    <message>
        <source>Notifications need the tray; this run has none.</source>
        <translation>Notifications need the tray; this run has none.</translation>
    </message>
    <message>
        <source>Only messages to clients you may see are notified. The same switch is in the tray menu.</source>
        <translation>Only messages to clients you may see are notified. The same switch is in the tray menu.</translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <source>Sign in to %1</source>
        <translation>Sign in to %1</translation>
    </message>
    <message>
        <source>Sign in with your WaDesk account.</source>
        <translation>Sign in with your WaDesk account.</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Email address</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;Email:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>Sign-in error</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Sign in</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Quit WaDesk</source>
        <translation>Quit WaDesk</translation>
    </message>
    <message>
        <source>Enter your email address.</source>
        <translation>Enter your email address.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Enter your password.</translation>
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
        <translation>Too many attempts, try again in %n s&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;Too many attempts, try again in %n s&lt;/numerusform&gt;
            &lt;numerusform&gt;Too many attempts, try again in %n s&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;Signing in failed: %1</translation>
    </message>
    <message>
        <source>Invalid email or password</source>
        <translation>Invalid email or password</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Your role may not manage the team.</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>Team members</translation>
    </message>
    <message>
        <source>&amp;Add Member…</source>
        <translation>&amp;Add Member…</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Add member</translation>
    </message>
    <message>
        <source>Create an account for a new team member</source>
        <translation>Create an account for a new team member</translation>
    </message>
    <message>
        <source>New role for the selected member</source>
        <translation>New role for the selected member</translation>
    </message>
    <message>
        <source>R&amp;ole:</source>
        <translation>R&amp;ole:</translation>
    </message>
    <message>
        <source>&amp;Change Role</source>
        <translation>&amp;Change Role</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Change role</translation>
    </message>
    <message>
        <source>Give the selected member the role chosen above</source>
        <translation>Give the selected member the role chosen above</translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation>&amp;Deactivate</translation>
    </message>
    <message>
        <source>Deactivate member</source>
        <translation>Deactivate member</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Remove…</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Remove member</translation>
    </message>
    <message>
        <source>Delete the selected member&apos;s account</source>
        <translation>Delete the selected member's account</translation>
    </message>
    <message>
        <source>Assigned c&amp;lients</source>
        <translation>Assigned c&amp;lients</translation>
    </message>
    <message>
        <source>Assigned clients</source>
        <translation>Assigned clients</translation>
    </message>
    <message>
        <source>Tick the clients this member may see</source>
        <translation>Tick the clients this member may see</translation>
    </message>
    <message>
        <source>Team error</source>
        <translation>Team error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Ac&amp;tivate</source>
        <translation>Ac&amp;tivate</translation>
    </message>
    <message>
        <source>Activate member</source>
        <translation>Activate member</translation>
    </message>
    <message>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation>Stop the selected member from signing in (reversible)</translation>
    </message>
    <message>
        <source>Let the selected member sign in again</source>
        <translation>Let the selected member sign in again</translation>
    </message>
    <message>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation>This is you: you cannot change your own role, deactivate or remove yourself.</translation>
    </message>
    <message>
        <source>Managers can only manage agents and viewers.</source>
        <translation>Managers can only manage agents and viewers.</translation>
    </message>
    <message>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation>Select an agent or viewer to choose the clients they see.</translation>
    </message>
    <message>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation>%1 is an admin: admins see every client of the organization.</translation>
    </message>
    <message>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation>%1 is a manager: managers see every client of the organization.</translation>
    </message>
    <message>
        <source>The assignments could not be read.</source>
        <translation>The assignments could not be read.</translation>
    </message>
    <message>
        <source>The clients could not be read.</source>
        <translation>The clients could not be read.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The organization has no clients yet.</source>
        <translation>The organization has no clients yet.</translation>
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
        <translation>The clients %1 sees (%2 of %n):&lt;/source&gt;
        &lt;translation&gt;
            &lt;numerusform&gt;The clients %1 sees (%2 of %n):&lt;/numerusform&gt;
            &lt;numerusform&gt;The clients %1 sees (%2 of %n):&lt;/numerusform&gt;
        &lt;/translation&gt;
    &lt;/message&gt;
    &lt;message&gt;
        &lt;source&gt;Remove team member</translation>
    </message>
    <message>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation>Remove %1 (%2) from the team? They will no longer be able to sign in.</translation>
    </message>
    <message>
        <source>The password could not be hashed.</source>
        <translation>The password could not be hashed.</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <source>Admin</source>
        <translation>Admin</translation>
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
        <translation>Viewer</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>Deactivated</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (you)</translation>
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
        <translation>Email</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Your role may not manage the team.</translation>
    </message>
</context>
<context>
    <name>wadesk::TemplateEditDialog</name>
    <message>
        <source>Edit Template</source>
        <translation>Edit Template</translation>
    </message>
    <message>
        <source>New Template</source>
        <translation>New Template</translation>
    </message>
    <message>
        <source>Template name</source>
        <translation>Template name</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Template text</source>
        <translation>Template text</translation>
    </message>
    <message>
        <source>Hello {{name|there}}, your order for {{attributes.city}} is ready.</source>
        <translation>Hello {{name|there}}, your order for {{attributes.city}} is ready.</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Text:</translation>
    </message>
    <message>
        <source>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}.</source>
        <translation>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}.</translation>
    </message>
    <message>
        <source>Preview for contact</source>
        <translation>Preview for contact</translation>
    </message>
    <message>
        <source>A sample number (no name, no attributes)</source>
        <translation>A sample number (no name, no attributes)</translation>
    </message>
    <message>
        <source>Preview &amp;for:</source>
        <translation>Preview &amp;for:</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Preview:</translation>
    </message>
    <message>
        <source>Template error</source>
        <translation>Template error</translation>
    </message>
    <message>
        <source>Cannot be previewed: %1</source>
        <translation>Cannot be previewed: %1</translation>
    </message>
    <message>
        <source>%1

({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)</source>
        <translation>%1

({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhookListModel</name>
    <message>
        <source>Never</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>All events</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Enabled</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <source>Disabled: %1</source>
        <translation>Disabled: %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, %2, %3, last success %4, last failure %5</source>
        <translation>%1, %2, %3, last success %4, last failure %5</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Events</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Last success</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Last failure</translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Your role may not manage webhooks.</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Webhooks need the secret store, which is not available.</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhooksDialog</name>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Your role may not manage webhooks.</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that keeps failing is disabled until you re-enable it.</source>
        <translation>WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that keeps failing is disabled until you re-enable it.</translation>
    </message>
    <message>
        <source>Webhook endpoints</source>
        <translation>Webhook endpoints</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Add…</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Add webhook</translation>
    </message>
    <message>
        <source>Register a new endpoint</source>
        <translation>Register a new endpoint</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Test</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>Send a test event</translation>
    </message>
    <message>
        <source>Send a signed test event to the selected endpoint now</source>
        <translation>Send a signed test event to the selected endpoint now</translation>
    </message>
    <message>
        <source>Re-&amp;enable</source>
        <translation>Re-&amp;enable</translation>
    </message>
    <message>
        <source>Re-enable webhook</source>
        <translation>Re-enable webhook</translation>
    </message>
    <message>
        <source>Send events to the selected endpoint again</source>
        <translation>Send events to the selected endpoint again</translation>
    </message>
    <message>
        <source>R&amp;otate Secret…</source>
        <translation>R&amp;otate Secret…</translation>
    </message>
    <message>
        <source>Rotate secret</source>
        <translation>Rotate secret</translation>
    </message>
    <message>
        <source>Make a new signing secret; the old one keeps signing for 24 hours</source>
        <translation>Make a new signing secret; the old one keeps signing for 24 hours</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Delete…</translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation>Delete webhook</translation>
    </message>
    <message>
        <source>Test result</source>
        <translation>Test result</translation>
    </message>
    <message>
        <source>Deliveries of the selected webhook</source>
        <translation>Deliveries of the selected webhook</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>Show deliveries with status</source>
        <translation>Show deliveries with status</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>Re&amp;load</translation>
    </message>
    <message>
        <source>Reload deliveries</source>
        <translation>Reload deliveries</translation>
    </message>
    <message>
        <source>Re&amp;play</source>
        <translation>Re&amp;play</translation>
    </message>
    <message>
        <source>Replay delivery</source>
        <translation>Replay delivery</translation>
    </message>
    <message>
        <source>Send the selected delivery again, with a fresh set of attempts</source>
        <translation>Send the selected delivery again, with a fresh set of attempts</translation>
    </message>
    <message>
        <source>Delivery log</source>
        <translation>Delivery log</translation>
    </message>
    <message>
        <source>Payload of the selected delivery</source>
        <translation>Payload of the selected delivery</translation>
    </message>
    <message>
        <source>Select a delivery to see what was sent.</source>
        <translation>Select a delivery to see what was sent.</translation>
    </message>
    <message>
        <source>Webhooks error</source>
        <translation>Webhooks error</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Response:</source>
        <translation>Response:</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Webhooks need the secret store, which is not available.</translation>
    </message>
    <message>
        <source>This endpoint is disabled.</source>
        <translation>This endpoint is disabled.</translation>
    </message>
    <message>
        <source>This endpoint is disabled: %1</source>
        <translation>This endpoint is disabled: %1</translation>
    </message>
    <message>
        <source>No webhooks yet. Use Add… to register an endpoint.</source>
        <translation>No webhooks yet. Use Add… to register an endpoint.</translation>
    </message>
    <message>
        <source>Enter the URL of the endpoint.</source>
        <translation>Enter the URL of the endpoint.</translation>
    </message>
    <message>
        <source>Tick at least one event to send.</source>
        <translation>Tick at least one event to send.</translation>
    </message>
    <message>
        <source>The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your endpoint checks the webhook-signature header.</source>
        <translation>The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your endpoint checks the webhook-signature header.</translation>
    </message>
    <message>
        <source>The host %1 does not resolve yet: deliveries are retried while it does not.</source>
        <translation>The host %1 does not resolve yet: deliveries are retried while it does not.</translation>
    </message>
    <message>
        <source>Webhook Secret</source>
        <translation>Webhook Secret</translation>
    </message>
    <message>
        <source>A test is already running.</source>
        <translation>A test is already running.</translation>
    </message>
    <message>
        <source>The webhook secret cannot be opened.</source>
        <translation>The webhook secret cannot be opened.</translation>
    </message>
    <message>
        <source>Sending a test event…</source>
        <translation>Sending a test event…</translation>
    </message>
    <message>
        <source>HTTP %1 in %2 ms</source>
        <translation>HTTP %1 in %2 ms</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>No answer: %1</translation>
    </message>
    <message>
        <source>Delivered: %1</source>
        <translation>Delivered: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Failed: %1</translation>
    </message>
    <message>
        <source>New Webhook Secret</source>
        <translation>New Webhook Secret</translation>
    </message>
    <message>
        <source>The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can switch over.</source>
        <translation>The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can switch over.</translation>
    </message>
    <message>
        <source>Make a new signing secret for %1? The current one stays valid for 24 hours.</source>
        <translation>Make a new signing secret for %1? The current one stays valid for 24 hours.</translation>
    </message>
    <message>
        <source>Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.</source>
        <translation>Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.</translation>
    </message>
</context>
</TS>
