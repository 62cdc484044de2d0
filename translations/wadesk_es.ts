<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AutoReplyRuleListModel</name>
    <message>
        <source>Keyword</source>
        <translation>Palabra clave</translation>
    </message>
    <message>
        <source>Away (outside business hours)</source>
        <translation>Ausencia (fuera del horario de atención)</translation>
    </message>
    <message>
        <source>Welcome (first message)</source>
        <translation>Bienvenida (primer mensaje)</translation>
    </message>
    <message>
        <source>Exact</source>
        <translation>Exacta</translation>
    </message>
    <message>
        <source>Contains</source>
        <translation>Contiene</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>Expresión regular</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Trigger</source>
        <translation>Activador</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activa</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n business-hour window(s), %1 holiday(s)</source>
        <translation>
            <numerusform>%n franja de horario de atención, festivos: %1</numerusform>
            <numerusform>%n franjas de horario de atención, festivos: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>A contact&apos;s first message</source>
        <translation>El primer mensaje de un contacto</translation>
    </message>
    <message>
        <source>Every client</source>
        <translation>Todos los clientes</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Sí</translation>
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
        <translation>Volumen diario</translation>
    </message>
    <message>
        <source>Delivery and read rates</source>
        <translation>Tasas de entrega y de lectura</translation>
    </message>
    <message>
        <source>First response times</source>
        <translation>Tiempos de primera respuesta</translation>
    </message>
    <message>
        <source>Busiest hours</source>
        <translation>Horas de más actividad</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Recibido</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Tasa de entrega</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Tasa de lectura</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Respuestas</translation>
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
        <translation>%1 (%2, mensajes enviados y recibidos)</translation>
    </message>
    <message>
        <source>WaDesk report · page %1</source>
        <translation>Informe de WaDesk · página %1</translation>
    </message>
    <message>
        <source>No rows.</source>
        <translation>No hay filas.</translation>
    </message>
    <message>
        <source>WaDesk report: %1</source>
        <translation>Informe de WaDesk: %1</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>No se puede escribir %1</translation>
    </message>
    <message>
        <source>Messaging report</source>
        <translation>Informe de mensajes</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>Organization: %1</source>
        <translation>Organización: %1</translation>
    </message>
    <message>
        <source>Range: %1 (days in %2)</source>
        <translation>Periodo: %1 (días en %2)</translation>
    </message>
    <message>
        <source>Clients: %1</source>
        <translation>Clientes: %1</translation>
    </message>
    <message>
        <source>all clients</source>
        <translation>todos los clientes</translation>
    </message>
    <message>
        <source>Generated: %1</source>
        <translation>Generado: %1</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Por cliente</translation>
    </message>
    <message>
        <source>Per team member (messages they wrote)</source>
        <translation>Por miembro del equipo (mensajes que escribió)</translation>
    </message>
    <message>
        <source>Forever</source>
        <translation>Para siempre</translation>
    </message>
    <message>
        <source> days</source>
        <translation> días</translation>
    </message>
</context>
<context>
    <name>QuickReplyListModel</name>
    <message>
        <source>Shortcut</source>
        <translation>Atajo</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
</context>
<context>
    <name>TemplateListModel</name>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texto</translation>
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
        <translation>Mi cuenta</translation>
    </message>
    <message>
        <source>Signed in as %1 &lt;%2&gt;, %3.</source>
        <translation>Sesión iniciada como %1 &lt;%2&gt;, %3.</translation>
    </message>
    <message>
        <source>Not signed in.</source>
        <translation>No ha iniciado sesión.</translation>
    </message>
    <message>
        <source>Change your password</source>
        <translation>Cambiar su contraseña</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Contraseña actual</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Contraseña nueva</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>Repetir la contraseña nueva</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>Contraseña &amp;actual:</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>Contraseña &amp;nueva:</translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Repítala:</translation>
    </message>
    <message>
        <source>%1 to %2 characters.</source>
        <translation>De %1 a %2 caracteres.</translation>
    </message>
    <message>
        <source>C&amp;hange Password</source>
        <translation>Cam&amp;biar contraseña</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>Cambiar contraseña</translation>
    </message>
    <message>
        <source>Password error</source>
        <translation>Error de contraseña</translation>
    </message>
    <message>
        <source>Delete a client</source>
        <translation>Eliminar un cliente</translation>
    </message>
    <message>
        <source>Deletes the client with its session, messages and queue. You are asked to confirm.</source>
        <translation>Elimina el cliente con su sesión, sus mensajes y su cola. Se le pedirá confirmación.</translation>
    </message>
    <message>
        <source>Client to delete</source>
        <translation>Cliente que se eliminará</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;liente:</translation>
    </message>
    <message>
        <source>&amp;Delete Client…</source>
        <translation>&amp;Eliminar cliente…</translation>
    </message>
    <message>
        <source>Delete client</source>
        <translation>Eliminar cliente</translation>
    </message>
    <message>
        <source>Delete client error</source>
        <translation>Error al eliminar el cliente</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>Introduzca su contraseña actual.</translation>
    </message>
    <message>
        <source>The new password and its repetition differ.</source>
        <translation>La contraseña nueva y su repetición no coinciden.</translation>
    </message>
    <message>
        <source>The new password is the current one.</source>
        <translation>La contraseña nueva es la actual.</translation>
    </message>
    <message>
        <source>Your account no longer exists.</source>
        <translation>Su cuenta ya no existe.</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>La contraseña actual es incorrecta.</translation>
    </message>
    <message>
        <source>Password changed. Use the new one the next time you sign in.</source>
        <translation>Contraseña cambiada. Use la nueva la próxima vez que inicie sesión.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>No clients</source>
        <translation>No hay clientes</translation>
    </message>
</context>
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <source>Add client</source>
        <translation>Añadir cliente</translation>
    </message>
    <message>
        <source>Front desk</source>
        <translation>Recepción</translation>
    </message>
    <message>
        <source>Client name</source>
        <translation>Nombre del cliente</translation>
    </message>
    <message>
        <source>+14155552671 (optional)</source>
        <translation>+14155552671 (opcional)</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Número de teléfono</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>Número de &amp;teléfono:</translation>
    </message>
    <message>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation>Después de añadirlo, inicie el cliente y escanee su código QR con el teléfono.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
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
        <translation>Añadir miembro del equipo</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>nombre@example.com</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>Contraseña inicial</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>al menos %n carácter</numerusform>
            <numerusform>al menos %n caracteres</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>&amp;Role:</source>
        <translation>&amp;Rol:</translation>
    </message>
    <message>
        <source>Initial &amp;password:</source>
        <translation>Contraseña &amp;inicial:</translation>
    </message>
    <message>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation>El nuevo miembro inicia sesión con este correo electrónico y esta contraseña; hágale llegar la contraseña de forma segura.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Añadir miembro</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::AddWebhookDialog</name>
    <message>
        <source>Add Webhook</source>
        <translation>Añadir webhook</translation>
    </message>
    <message>
        <source>Webhook URL</source>
        <translation>URL del webhook</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Events to send:</source>
        <translation>&amp;Eventos que se envían:</translation>
    </message>
    <message>
        <source>Events to send</source>
        <translation>Eventos que se envían</translation>
    </message>
    <message>
        <source>All events, including those added later</source>
        <translation>Todos los eventos, incluidos los que se añadan más adelante</translation>
    </message>
    <message>
        <source>The signing secret is shown once, after the webhook is added.</source>
        <translation>El secreto de firma se muestra una sola vez, después de añadir el webhook.</translation>
    </message>
    <message>
        <source>Add webhook error</source>
        <translation>Error al añadir el webhook</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Añadir webhook</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeyListModel</name>
    <message>
        <source>Revoked</source>
        <translation>Revocada</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Caducada</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Activa</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>Nunca</translation>
    </message>
    <message>
        <source>%1, key %2, last used %3, expires %4, %5</source>
        <translation>%1, clave %2, último uso %3, caduca %4, %5</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Clave</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Creada</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Último uso</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Caduca</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Sign in to manage API keys.</source>
        <translation>Inicie sesión para administrar las claves de API.</translation>
    </message>
</context>
<context>
    <name>wadesk::ApiKeysDialog</name>
    <message>
        <source>API Keys</source>
        <translation>Claves de API</translation>
    </message>
    <message>
        <source>Keys for the REST API. Each key acts with its owner&apos;s role; as an admin you see every key of the organization.</source>
        <translation>Claves para la API REST. Cada clave actúa con el rol de su propietario; como administrador ve todas las claves de la organización.</translation>
    </message>
    <message>
        <source>Your keys for the REST API. Each key acts with your role.</source>
        <translation>Sus claves para la API REST. Cada clave actúa con su rol.</translation>
    </message>
    <message>
        <source>API keys</source>
        <translation>Claves de API</translation>
    </message>
    <message>
        <source>&amp;Create…</source>
        <translation>&amp;Crear…</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>Crear clave de API</translation>
    </message>
    <message>
        <source>Create a key; it is shown once</source>
        <translation>Crear una clave; se muestra una sola vez</translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation>&amp;Revocar…</translation>
    </message>
    <message>
        <source>Revoke API key</source>
        <translation>Revocar clave de API</translation>
    </message>
    <message>
        <source>Stop the selected key from working, for good</source>
        <translation>Dejar de aceptar la clave seleccionada, para siempre</translation>
    </message>
    <message>
        <source>API keys error</source>
        <translation>Error de claves de API</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>No API keys yet. Use Create… to make one.</source>
        <translation>Aún no hay claves de API. Use Crear… para crear una.</translation>
    </message>
    <message>
        <source>Give the key a name of 1 to 100 characters.</source>
        <translation>Dé a la clave un nombre de 1 a 100 caracteres.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>La caducidad debe estar en el futuro.</translation>
    </message>
    <message>
        <source>API Key Created</source>
        <translation>Clave de API creada</translation>
    </message>
    <message>
        <source>The API key &quot;%1&quot; is below. Send it in the X-API-Key header.</source>
        <translation>La clave de API «%1» aparece abajo. Envíela en la cabecera X-API-Key.</translation>
    </message>
    <message>
        <source>Revoke the key &quot;%1&quot; (%2…%3)? Programs using it stop working at once; this cannot be undone.</source>
        <translation>¿Revocar la clave «%1» (%2…%3)? Los programas que la usan dejan de funcionar al instante; no se puede deshacer.</translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <source>Assign proxy</source>
        <translation>Asignar proxy</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <source>Automatic (the least used healthy proxy)</source>
        <translation>Automático (el proxy operativo menos usado)</translation>
    </message>
    <message>
        <source>No proxy (connect directly)</source>
        <translation>Sin proxy (conexión directa)</translation>
    </message>
    <message>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation>%1 — %2, %3 de %4 clientes, %5</translation>
    </message>
    <message>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation>&amp;Pasar a otro proxy operativo cuando este no funcione</translation>
    </message>
    <message>
        <source>Allow failover to another proxy</source>
        <translation>Permitir el cambio a otro proxy</translation>
    </message>
    <message>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation>Desactivado: mientras su proxy no funcione, el cliente espera y nunca se conecta directamente.</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;liente:</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>Ahora:</translation>
    </message>
    <message>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation>El cliente conserva este proxy: WaDesk no rota direcciones, porque un número que cambia de dirección parece automatizado.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>&amp;Assign</source>
        <translation>&amp;Asignar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>Sin proxy</translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <source>The file is no longer stored.</source>
        <translation>El archivo ya no está almacenado.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <source>The stored file could not be read whole.</source>
        <translation>No se pudo leer el archivo almacenado completo.</translation>
    </message>
    <message>
        <source>No temporary folder could be made: %1</source>
        <translation>No se pudo crear una carpeta temporal: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogDialog</name>
    <message>
        <source>Audit Log</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <source>&amp;Member:</source>
        <translation>&amp;Miembro:</translation>
    </message>
    <message>
        <source>Show entries by member</source>
        <translation>Mostrar entradas por miembro</translation>
    </message>
    <message>
        <source>A&amp;ction:</source>
        <translation>A&amp;cción:</translation>
    </message>
    <message>
        <source>Show entries with action</source>
        <translation>Mostrar entradas con la acción</translation>
    </message>
    <message>
        <source>&amp;Resource:</source>
        <translation>&amp;Recurso:</translation>
    </message>
    <message>
        <source>Show entries about resource</source>
        <translation>Mostrar entradas sobre el recurso</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Desde:</translation>
    </message>
    <message>
        <source>Limit to entries from a date</source>
        <translation>Limitar a entradas desde una fecha</translation>
    </message>
    <message>
        <source>First day</source>
        <translation>Primer día</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Hasta:</translation>
    </message>
    <message>
        <source>Limit to entries up to a date</source>
        <translation>Limitar a entradas hasta una fecha</translation>
    </message>
    <message>
        <source>Last day</source>
        <translation>Último día</translation>
    </message>
    <message>
        <source>Audit log entries</source>
        <translation>Entradas del registro de auditoría</translation>
    </message>
    <message>
        <source>Details of the selected entry</source>
        <translation>Detalles de la entrada seleccionada</translation>
    </message>
    <message>
        <source>Select an entry to see its details.</source>
        <translation>Seleccione una entrada para ver sus detalles.</translation>
    </message>
    <message>
        <source>Chain verification result</source>
        <translation>Resultado de la verificación de la cadena</translation>
    </message>
    <message>
        <source>&amp;Verify Chain</source>
        <translation>&amp;Verificar cadena</translation>
    </message>
    <message>
        <source>Verify chain</source>
        <translation>Verificar cadena</translation>
    </message>
    <message>
        <source>Check that no entry was edited, removed or added behind the log&apos;s back</source>
        <translation>Comprobar que ninguna entrada se editó, eliminó o añadió a espaldas del registro</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Exportar CSV…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Exportar CSV</translation>
    </message>
    <message>
        <source>Save the entries shown as a CSV file</source>
        <translation>Guardar las entradas mostradas como archivo CSV</translation>
    </message>
    <message>
        <source>Audit log error</source>
        <translation>Error del registro de auditoría</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Todos</translation>
    </message>
    <message>
        <source>Entry: %1 (#%2)</source>
        <translation>Entrada: %1 (#%2)</translation>
    </message>
    <message>
        <source>Time: %1 (%2)</source>
        <translation>Hora: %1 (%2)</translation>
    </message>
    <message>
        <source>Member: %1</source>
        <translation>Miembro: %1</translation>
    </message>
    <message>
        <source>Action: %1</source>
        <translation>Acción: %1</translation>
    </message>
    <message>
        <source>Resource: %1 %2</source>
        <translation>Recurso: %1 %2</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>Dirección: %1</translation>
    </message>
    <message>
        <source>Hash: %1</source>
        <translation>Hash: %1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Detalles:</translation>
    </message>
    <message>
        <source>Entries shown: %1</source>
        <translation>Entradas mostradas: %1</translation>
    </message>
    <message>
        <source>(the newest %1; narrow the dates to see older ones)</source>
        <translation>(las %1 más recientes; acote las fechas para ver otras anteriores)</translation>
    </message>
    <message>
        <source>Chain intact. Entries checked: %1.</source>
        <translation>Cadena intacta. Entradas verificadas: %1.</translation>
    </message>
    <message>
        <source>Chain broken at entry #%1 (%2): %3</source>
        <translation>Cadena rota en la entrada #%1 (%2): %3</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Su rol no puede ver el registro de auditoría.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <source>Export Audit Log</source>
        <translation>Exportar el registro de auditoría</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Entries exported: %1, to %2.</source>
        <translation>Entradas exportadas: %1, a %2.</translation>
    </message>
</context>
<context>
    <name>wadesk::AuditLogModel</name>
    <message>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <source>%1: %2 %3 %4 by %5</source>
        <translation>%1: %2 %3 %4 por %5</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Miembro</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Resource</source>
        <translation>Recurso</translation>
    </message>
    <message>
        <source>Resource ID</source>
        <translation>ID del recurso</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Your role may not view the audit log.</source>
        <translation>Su rol no puede ver el registro de auditoría.</translation>
    </message>
</context>
<context>
    <name>wadesk::AutoReplyRuleDialog</name>
    <message>
        <source>Edit Auto-reply Rule</source>
        <translation>Editar regla de respuesta automática</translation>
    </message>
    <message>
        <source>New Auto-reply Rule</source>
        <translation>Nueva regla de respuesta automática</translation>
    </message>
    <message>
        <source>Rule name</source>
        <translation>Nombre de la regla</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Tipo:</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>Every client of the organization</source>
        <translation>Todos los clientes de la organización</translation>
    </message>
    <message>
        <source>&amp;Applies to:</source>
        <translation>&amp;Se aplica a:</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>Palabras clave</translation>
    </message>
    <message>
        <source>Match mode</source>
        <translation>Modo de coincidencia</translation>
    </message>
    <message>
        <source>&amp;Match:</source>
        <translation>&amp;Coincidencia:</translation>
    </message>
    <message>
        <source>Keywords, one a line</source>
        <translation>Palabras clave, una por línea</translation>
    </message>
    <message>
        <source>One word, phrase or pattern a line; case and accents are ignored</source>
        <translation>Una palabra, frase o patrón por línea; no se distinguen mayúsculas ni acentos</translation>
    </message>
    <message>
        <source>K&amp;eywords:</source>
        <translation>Pa&amp;labras clave:</translation>
    </message>
    <message>
        <source>Business hours (the away message is sent outside them)</source>
        <translation>Horario de atención (el mensaje de ausencia se envía fuera de él)</translation>
    </message>
    <message>
        <source>Open on:</source>
        <translation>Días de apertura:</translation>
    </message>
    <message>
        <source>Opens at</source>
        <translation>Abre a las</translation>
    </message>
    <message>
        <source>Closes at</source>
        <translation>Cierra a las</translation>
    </message>
    <message>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>De:</translation>
    </message>
    <message>
        <source>Holidays</source>
        <translation>Festivos</translation>
    </message>
    <message>
        <source>2026-12-25, 2027-01-01</source>
        <translation>2026-12-25, 2027-01-01</translation>
    </message>
    <message>
        <source>&amp;Holidays:</source>
        <translation>&amp;Festivos:</translation>
    </message>
    <message>
        <source>Reply text</source>
        <translation>Texto de la respuesta</translation>
    </message>
    <message>
        <source>&amp;Reply:</source>
        <translation>&amp;Respuesta:</translation>
    </message>
    <message>
        <source>At most once per contact within, in minutes</source>
        <translation>Como máximo una vez por contacto en este intervalo, en minutos</translation>
    </message>
    <message>
        <source>the kind&apos;s default (a day; 5 minutes for keywords)</source>
        <translation>el valor predeterminado del tipo (un día; 5 minutos para palabras clave)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Once per contact &amp;within:</source>
        <translation>Una vez por contacto ca&amp;da:</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioridad</translation>
    </message>
    <message>
        <source>Rules with a lower number are tried first</source>
        <translation>Las reglas con un número menor se prueban primero</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>&amp;Prioridad:</translation>
    </message>
    <message>
        <source>&amp;On</source>
        <translation>&amp;Activa</translation>
    </message>
    <message>
        <source>Rule error</source>
        <translation>Error de la regla</translation>
    </message>
</context>
<context>
    <name>wadesk::AutomationDialog</name>
    <message>
        <source>Templates and Replies</source>
        <translation>Plantillas y respuestas</translation>
    </message>
    <message>
        <source>No templates yet. A template is a message with variables such as {{name}}, filled in for each contact of a campaign. Add one with Add….</source>
        <translation>Aún no hay plantillas. Una plantilla es un mensaje con variables como {{name}}, que se rellenan para cada contacto de una campaña. Añada una con Añadir….</translation>
    </message>
    <message>
        <source>No quick replies yet. A quick reply is a saved text: type / and its shortcut in the composer to insert it.</source>
        <translation>Aún no hay respuestas rápidas. Una respuesta rápida es un texto guardado: escriba / y su atajo en el cuadro de mensaje para insertarlo.</translation>
    </message>
    <message>
        <source>No auto-reply rules yet. A rule answers a keyword, messages outside business hours or a first-time contact by itself.</source>
        <translation>Aún no hay reglas de respuesta automática. Una regla responde por sí sola a una palabra clave, a los mensajes fuera del horario de atención o al primer mensaje de un contacto.</translation>
    </message>
    <message>
        <source>&amp;Templates</source>
        <translation>&amp;Plantillas</translation>
    </message>
    <message>
        <source>&amp;Quick Replies</source>
        <translation>Respuestas &amp;rápidas</translation>
    </message>
    <message>
        <source>&amp;Auto-replies</source>
        <translation>Respuestas au&amp;tomáticas</translation>
    </message>
    <message>
        <source>Templates and replies error</source>
        <translation>Error de plantillas y respuestas</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Añadir…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Editar…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>E&amp;liminar</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Plantillas</translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation>Respuestas rápidas</translation>
    </message>
    <message>
        <source>Auto-reply rules</source>
        <translation>Reglas de respuesta automática</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;? This cannot be undone.</source>
        <translation>¿Eliminar «%1»? No se puede deshacer.</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignDetailDialog</name>
    <message>
        <source>Campaign</source>
        <translation>Campaña</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Replied</source>
        <translation>Respondido</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Omitido</translation>
    </message>
    <message>
        <source>Show recipients by status</source>
        <translation>Mostrar destinatarios por estado</translation>
    </message>
    <message>
        <source>All recipients</source>
        <translation>Todos los destinatarios</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pendiente</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Mostrar:</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>Destinatarios</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Error de campaña</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>Exportar &amp;CSV…</translation>
    </message>
    <message>
        <source>Export &amp;JSON…</source>
        <translation>Exportar &amp;JSON…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Campaign: %1</source>
        <translation>Campaña: %1</translation>
    </message>
    <message>
        <source>Export Campaign</source>
        <translation>Exportar campaña</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>Archivos JSON (*.json)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>No se pudo escribir %1: %2</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignListModel</name>
    <message>
        <source>Draft</source>
        <translation>Borrador</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Programada</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En curso</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completada</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>En pausa: %1</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Sin iniciar</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 de %2 enviados</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Iniciada</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finalizada</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignRecipientModel</name>
    <message>
        <source>Phone number</source>
        <translation>Número de teléfono</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignWizard</name>
    <message>
        <source>New Campaign</source>
        <translation>Nueva campaña</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Crear</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>Audiencia</translation>
    </message>
    <message>
        <source>Who receives the campaign, and from which client</source>
        <translation>Quién recibe la campaña y desde qué cliente</translation>
    </message>
    <message>
        <source>Campaign name</source>
        <translation>Nombre de la campaña</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Client that sends</source>
        <translation>Cliente que envía</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Cliente:</translation>
    </message>
    <message>
        <source>Phone &amp;numbers</source>
        <translation>Números de &amp;teléfono</translation>
    </message>
    <message>
        <source>Contacts with &amp;tags (any of them)</source>
        <translation>Contactos con &amp;etiquetas (cualquiera de ellas)</translation>
    </message>
    <message>
        <source>A saved &amp;segment</source>
        <translation>Un &amp;segmento guardado</translation>
    </message>
    <message>
        <source>Contact &amp;ids</source>
        <translation>&amp;IDs de contacto</translation>
    </message>
    <message>
        <source>Phone numbers, one a line</source>
        <translation>Números de teléfono, uno por línea</translation>
    </message>
    <message>
        <source>+14155550100
+14155550101</source>
        <translation>+14155550100
+14155550101</translation>
    </message>
    <message>
        <source>Tags, separated by commas</source>
        <translation>Etiquetas, separadas por comas</translation>
    </message>
    <message>
        <source>vip, newsletter</source>
        <translation>vip, boletín</translation>
    </message>
    <message>
        <source>Saved segment</source>
        <translation>Segmento guardado</translation>
    </message>
    <message>
        <source>Contact ids, one a line</source>
        <translation>IDs de contacto, uno por línea</translation>
    </message>
    <message>
        <source>Recipients:</source>
        <translation>Destinatarios:</translation>
    </message>
    <message>
        <source>Audience error</source>
        <translation>Error de audiencia</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>The text every recipient receives, or a template filled in for each</source>
        <translation>El texto que recibe cada destinatario, o una plantilla rellenada para cada uno</translation>
    </message>
    <message>
        <source>&amp;Text</source>
        <translation>&amp;Texto</translation>
    </message>
    <message>
        <source>T&amp;emplate</source>
        <translation>&amp;Plantilla</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Texto del mensaje</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Sample contact for the preview</source>
        <translation>Contacto de ejemplo para la vista previa</translation>
    </message>
    <message>
        <source>Message error</source>
        <translation>Error del mensaje</translation>
    </message>
    <message>
        <source>Te&amp;mplate:</source>
        <translation>Pla&amp;ntilla:</translation>
    </message>
    <message>
        <source>&amp;Preview for:</source>
        <translation>&amp;Vista previa para:</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vista previa:</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Programación</translation>
    </message>
    <message>
        <source>When it starts, when it may send, and how much a day</source>
        <translation>Cuándo empieza, cuándo puede enviar y cuánto al día</translation>
    </message>
    <message>
        <source>Start &amp;now</source>
        <translation>Iniciar &amp;ahora</translation>
    </message>
    <message>
        <source>Start &amp;at:</source>
        <translation>Iniciar &amp;el:</translation>
    </message>
    <message>
        <source>Start time</source>
        <translation>Hora de inicio</translation>
    </message>
    <message>
        <source>Send only within a &amp;window (the organization&apos;s time zone)</source>
        <translation>Enviar solo dentro de una &amp;franja horaria (en la zona horaria de la organización)</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>Días:</translation>
    </message>
    <message>
        <source>Window opens</source>
        <translation>Inicio de la franja</translation>
    </message>
    <message>
        <source>Window closes</source>
        <translation>Fin de la franja</translation>
    </message>
    <message>
        <source>to</source>
        <translation>a</translation>
    </message>
    <message>
        <source>Hours:</source>
        <translation>Horas:</translation>
    </message>
    <message>
        <source>Messages per day at most</source>
        <translation>Máximo de mensajes por día</translation>
    </message>
    <message>
        <source>No cap</source>
        <translation>Sin límite</translation>
    </message>
    <message>
        <source>Per-day &amp;cap:</source>
        <translation>&amp;Límite diario:</translation>
    </message>
    <message>
        <source>Schedule error</source>
        <translation>Error de programación</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <source>Check what will be sent; Create stores the campaign</source>
        <translation>Compruebe lo que se enviará; Crear guarda la campaña</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Error de campaña</translation>
    </message>
    <message numerus="yes">
        <source>%n recipient(s)</source>
        <translation>
            <numerusform>%n destinatario</numerusform>
            <numerusform>%n destinatarios</numerusform>
        </translation>
    </message>
    <message>
        <source>There is no template yet: write the text instead.</source>
        <translation>Aún no hay ninguna plantilla: escriba el texto en su lugar.</translation>
    </message>
    <message>
        <source>(No value for {{%1}}: recipients without one are skipped.)</source>
        <translation>(No hay valor para {{%1}}: se omiten los destinatarios que no lo tengan.)</translation>
    </message>
    <message>
        <source>Name: %1</source>
        <translation>Nombre: %1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(sin nombre)</translation>
    </message>
    <message>
        <source>Client: %1</source>
        <translation>Cliente: %1</translation>
    </message>
    <message>
        <source>Recipients: %1 (duplicates and opted-out contacts are skipped at the start)</source>
        <translation>Destinatarios: %1 (los duplicados y los contactos dados de baja se omiten al empezar)</translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation>Mensaje: %1</translation>
    </message>
    <message>
        <source>Template: %1</source>
        <translation>Plantilla: %1</translation>
    </message>
    <message>
        <source>Starts: %1</source>
        <translation>Inicio: %1</translation>
    </message>
    <message>
        <source>Starts: now</source>
        <translation>Inicio: ahora</translation>
    </message>
    <message>
        <source>Window: %1 to %2</source>
        <translation>Franja: de %1 a %2</translation>
    </message>
    <message>
        <source>At most %1 a day</source>
        <translation>Como máximo %1 al día</translation>
    </message>
    <message>
        <source>Estimated finish: %1</source>
        <translation>Finalización estimada: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::CampaignsDialog</name>
    <message>
        <source>Campaigns</source>
        <translation>Campañas</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Iniciando…</translation>
    </message>
    <message>
        <source>Campaign error</source>
        <translation>Error de campaña</translation>
    </message>
    <message>
        <source>&amp;New Campaign…</source>
        <translation>&amp;Nueva campaña…</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Iniciar</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausar</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Reanudar</translation>
    </message>
    <message>
        <source>&amp;Cancel Campaign…</source>
        <translation>&amp;Cancelar campaña…</translation>
    </message>
    <message>
        <source>&amp;Details…</source>
        <translation>&amp;Detalles…</translation>
    </message>
    <message>
        <source>Cancel Campaign</source>
        <translation>Cancelar campaña</translation>
    </message>
    <message>
        <source>No campaign yet. New Campaign… sends one message to many recipients, paced and resumable.</source>
        <translation>Aún no hay campañas. Nueva campaña… envía un mensaje a muchos destinatarios, a un ritmo controlado y con posibilidad de reanudarlo.</translation>
    </message>
    <message>
        <source>No campaign on the clients assigned to you.</source>
        <translation>No hay campañas en los clientes que tiene asignados.</translation>
    </message>
    <message>
        <source>Cancel the campaign “%1”? Recipients not reached yet will not receive it, and it cannot be resumed.</source>
        <translation>¿Cancelar la campaña «%1»? Los destinatarios a los que aún no haya llegado no la recibirán, y no se podrá reanudar.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <source>Your role may not manage clients.</source>
        <translation>Su rol no puede administrar clientes.</translation>
    </message>
    <message>
        <source>&amp;Add Client…</source>
        <translation>&amp;Añadir cliente…</translation>
    </message>
    <message>
        <source>Add a WhatsApp client</source>
        <translation>Añadir un cliente de WhatsApp</translation>
    </message>
    <message>
        <source>Re&amp;name Client…</source>
        <translation>Cambiar &amp;nombre del cliente…</translation>
    </message>
    <message>
        <source>Rename the selected client</source>
        <translation>Cambiar el nombre del cliente seleccionado</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Iniciar</translation>
    </message>
    <message>
        <source>Start the selected client&apos;s session</source>
        <translation>Iniciar la sesión del cliente seleccionado</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation>Detener la sesión del cliente seleccionado (sigue vinculado)</translation>
    </message>
    <message>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation>Cerrar &amp;sesión de WhatsApp…</translation>
    </message>
    <message>
        <source>Unlink the selected client&apos;s phone</source>
        <translation>Desvincular el teléfono del cliente seleccionado</translation>
    </message>
    <message>
        <source>&amp;Pause Sending</source>
        <translation>&amp;Pausar envío</translation>
    </message>
    <message>
        <source>Hold the selected client&apos;s send queue</source>
        <translation>Retener la cola de envío del cliente seleccionado</translation>
    </message>
    <message>
        <source>&amp;Resume Sending</source>
        <translation>&amp;Reanudar envío</translation>
    </message>
    <message>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation>Dejar que la cola de envío del cliente seleccionado vuelva a avanzar</translation>
    </message>
    <message>
        <source>The session could not start: %1</source>
        <translation>No se pudo iniciar la sesión: %1</translation>
    </message>
    <message>
        <source>WaDesk</source>
        <translation>WaDesk</translation>
    </message>
    <message>
        <source>Log out of WhatsApp</source>
        <translation>Cerrar sesión de WhatsApp</translation>
    </message>
    <message>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation>¿Desvincular «%1» de su teléfono? Para volver a vincularlo habrá que escanear de nuevo un código QR con el teléfono.</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <source>paused</source>
        <translation>en pausa</translation>
    </message>
    <message numerus="yes">
        <source>%n queued</source>
        <translation>
            <numerusform>%n en cola</numerusform>
            <numerusform>%n en cola</numerusform>
        </translation>
    </message>
    <message>
        <source>no number linked</source>
        <translation>ningún número vinculado</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <source>Stopped</source>
        <translation>Detenido</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Iniciando</translation>
    </message>
    <message>
        <source>Scan QR</source>
        <translation>Escanear QR</translation>
    </message>
    <message>
        <source>Linking</source>
        <translation>Vinculando</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Sesión cerrada</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Error</translation>
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
        <translation>ningún número vinculado</translation>
    </message>
    <message numerus="yes">
        <source>, %n unread</source>
        <translation>
            <numerusform>, %n sin leer</numerusform>
            <numerusform>, %n sin leer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n en cola</numerusform>
            <numerusform>, %n en cola</numerusform>
        </translation>
    </message>
    <message>
        <source>, queue paused</source>
        <translation>, cola en pausa</translation>
    </message>
    <message>
        <source>Runs on %1</source>
        <translation>Se ejecuta en %1</translation>
    </message>
    <message>
        <source>, runs on %1</source>
        <translation>, se ejecuta en %1</translation>
    </message>
    <message>
        <source>%1 · Runs on %2</source>
        <translation>%1 · Se ejecuta en %2</translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;Para:</translation>
    </message>
    <message>
        <source>Phone number, e.g. +14155552671</source>
        <translation>Número de teléfono, p. ej., +14155552671</translation>
    </message>
    <message>
        <source>Recipient phone number</source>
        <translation>Número de teléfono del destinatario</translation>
    </message>
    <message>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation>Escriba un mensaje (Ctrl+Intro para enviar)</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>Texto del mensaje</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>E&amp;nviar</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>Enviar mensaje</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Enviar (Ctrl+Intro)</translation>
    </message>
    <message numerus="yes">
        <source>Try again in %n second(s).</source>
        <translation>
            <numerusform>Vuelva a intentarlo dentro de %n segundo.</numerusform>
            <numerusform>Vuelva a intentarlo dentro de %n segundos.</numerusform>
        </translation>
    </message>
    <message>
        <source>Queued.</source>
        <translation>En cola.</translation>
    </message>
    <message>
        <source>Remove the attachment</source>
        <translation>Quitar el adjunto</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Quitar adjunto</translation>
    </message>
    <message>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation>Adjuntar un archivo (o soltarlo aquí, o pegar una imagen)</translation>
    </message>
    <message>
        <source>Attach a file</source>
        <translation>Adjuntar un archivo</translation>
    </message>
    <message>
        <source>The file %1 does not exist.</source>
        <translation>El archivo %1 no existe.</translation>
    </message>
    <message>
        <source>Only files can be attached; %1 is not one.</source>
        <translation>Solo se pueden adjuntar archivos; %1 no lo es.</translation>
    </message>
    <message>
        <source>The file %1 cannot be read.</source>
        <translation>No se puede leer el archivo %1.</translation>
    </message>
    <message>
        <source>The clipboard holds no image that can be read.</source>
        <translation>El portapapeles no contiene ninguna imagen legible.</translation>
    </message>
    <message>
        <source>The image could not be encoded as PNG.</source>
        <translation>No se pudo codificar la imagen como PNG.</translation>
    </message>
    <message>
        <source>The file %1 is empty.</source>
        <translation>El archivo %1 está vacío.</translation>
    </message>
    <message>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation>%1 ocupa %2; se pueden enviar archivos de hasta %3.</translation>
    </message>
    <message>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation>Añadir un pie de foto (opcional; Ctrl+Intro envía)</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Pie de foto</translation>
    </message>
    <message>
        <source>Attachment: %1, %2</source>
        <translation>Adjunto: %1, %2</translation>
    </message>
    <message>
        <source>The file %1 can no longer be read: %2</source>
        <translation>Ya no se puede leer el archivo %1: %2</translation>
    </message>
    <message>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation>El archivo %1 cambió desde que se adjuntó y ahora ocupa %2; se pueden enviar archivos de hasta %3.</translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation>Enviado.</translation>
    </message>
    <message>
        <source>Delivered.</source>
        <translation>Entregado.</translation>
    </message>
    <message>
        <source>The message was not sent.</source>
        <translation>El mensaje no se envió.</translation>
    </message>
    <message>
        <source>The message was not sent: %1</source>
        <translation>El mensaje no se envió: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactEditDialog</name>
    <message>
        <source>Edit Contact</source>
        <translation>Editar contacto</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Número:</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Nombre del contacto</translation>
    </message>
    <message>
        <source>No name</source>
        <translation>Sin nombre</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Contact tags</source>
        <translation>Etiquetas del contacto</translation>
    </message>
    <message>
        <source>vip, spain</source>
        <translation>vip, madrid</translation>
    </message>
    <message>
        <source>Separated by commas; each 1 to 50 characters, without quotes</source>
        <translation>Separadas por comas; cada una de 1 a 50 caracteres, sin comillas</translation>
    </message>
    <message>
        <source>&amp;Tags:</source>
        <translation>&amp;Etiquetas:</translation>
    </message>
    <message>
        <source>&amp;Opted out: send this contact nothing</source>
        <translation>&amp;Dado de baja: no enviar nada a este contacto</translation>
    </message>
    <message>
        <source>Opted out</source>
        <translation>Dado de baja</translation>
    </message>
    <message>
        <source>Contact error</source>
        <translation>Error de contacto</translation>
    </message>
    <message>
        <source>Save contact</source>
        <translation>Guardar contacto</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactImportDialog</name>
    <message>
        <source>semicolon</source>
        <translation>punto y coma</translation>
    </message>
    <message>
        <source>tab</source>
        <translation>tabulador</translation>
    </message>
    <message>
        <source>comma</source>
        <translation>coma</translation>
    </message>
    <message>
        <source>Import Contacts</source>
        <translation>Importar contactos</translation>
    </message>
    <message>
        <source>&amp;Choose File…</source>
        <translation>&amp;Elegir archivo…</translation>
    </message>
    <message>
        <source>No file chosen. Choose a CSV file with a header row: a phone column, and name, tags or any other columns (they become the contact&apos;s attributes).</source>
        <translation>No se ha elegido ningún archivo. Elija un archivo CSV con una fila de encabezado: una columna de teléfono y, además, nombre, etiquetas o cualquier otra columna (estas se convierten en atributos del contacto).</translation>
    </message>
    <message>
        <source>&amp;Delimiter:</source>
        <translation>&amp;Separador:</translation>
    </message>
    <message>
        <source>Delimiter</source>
        <translation>Separador</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Detectar</translation>
    </message>
    <message>
        <source>Comma</source>
        <translation>Coma</translation>
    </message>
    <message>
        <source>Semicolon</source>
        <translation>Punto y coma</translation>
    </message>
    <message>
        <source>Tab</source>
        <translation>Tabulador</translation>
    </message>
    <message>
        <source>Default &amp;region:</source>
        <translation>&amp;Región predeterminada:</translation>
    </message>
    <message>
        <source>Default region</source>
        <translation>Región predeterminada</translation>
    </message>
    <message>
        <source>The country (two letters, such as US or DE) of numbers written without +country code</source>
        <translation>El país (dos letras, como ES o MX) de los números escritos sin +prefijo de país</translation>
    </message>
    <message>
        <source>The file&apos;s first rows and what each column becomes</source>
        <translation>Las primeras filas del archivo y en qué se convierte cada columna</translation>
    </message>
    <message>
        <source>&amp;Import</source>
        <translation>&amp;Importar</translation>
    </message>
    <message>
        <source>Ca&amp;ncel Import</source>
        <translation>Ca&amp;ncelar importación</translation>
    </message>
    <message>
        <source>Rows that were skipped</source>
        <translation>Filas omitidas</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Línea</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Código</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Import error</source>
        <translation>Error de importación</translation>
    </message>
    <message>
        <source>C&amp;opy Report</source>
        <translation>C&amp;opiar informe</translation>
    </message>
    <message>
        <source>&amp;Save Report…</source>
        <translation>&amp;Guardar informe…</translation>
    </message>
    <message>
        <source>Save Import Report</source>
        <translation>Guardar informe de importación</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>The report could not be written to %1.</source>
        <translation>No se pudo escribir el informe en %1.</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt *.tsv);;All files (*)</source>
        <translation>Archivos CSV (*.csv *.txt *.tsv);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>No se puede leer %1: %2</translation>
    </message>
    <message>
        <source>%1 (%2 KB)</source>
        <translation>%1 (%2 KB)</translation>
    </message>
    <message>
        <source>(found: %1)</source>
        <translation>(detectado: %1)</translation>
    </message>
    <message>
        <source>The file is empty or its first row is not CSV: it needs a header row.</source>
        <translation>El archivo está vacío o su primera fila no es CSV: necesita una fila de encabezado.</translation>
    </message>
    <message>
        <source>Import as</source>
        <translation>Importar como</translation>
    </message>
    <message>
        <source>Import column %1 as</source>
        <translation>Importar la columna %1 como</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>Número de teléfono</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>Attribute &quot;%1&quot;</source>
        <translation>Atributo «%1»</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorar</translation>
    </message>
    <message>
        <source>Choose the column that holds the phone numbers (&quot;Phone number&quot; above it).</source>
        <translation>Elija la columna que contiene los números de teléfono («Número de teléfono» encima de ella).</translation>
    </message>
    <message>
        <source>The default region is a country&apos;s two letters, such as US or DE (or empty when every number has its +country code).</source>
        <translation>La región predeterminada son las dos letras de un país, como ES o MX (o vacía si todos los números llevan su +prefijo de país).</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>Importando…</translation>
    </message>
    <message>
        <source>The import stopped without a report.</source>
        <translation>La importación se detuvo sin un informe.</translation>
    </message>
    <message>
        <source>Cancelled: no contact was changed.</source>
        <translation>Cancelada: no se modificó ningún contacto.</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) read: </source>
        <translation>
            <numerusform>%n fila leída: </numerusform>
            <numerusform>%n filas leídas: </numerusform>
        </translation>
    </message>
    <message>
        <source>%1 contact(s) created, %2 updated, %3 skipped.</source>
        <translation>contactos creados: %1, actualizados: %2, omitidos: %3.</translation>
    </message>
    <message>
        <source>Only the first %1 skipped rows are listed.</source>
        <translation>Solo se muestran las primeras %1 filas omitidas.</translation>
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
        <translation> (se dio de baja)</translation>
    </message>
    <message>
        <source>, tags: %1</source>
        <translation>, etiquetas: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactPageModel</name>
    <message>
        <source>Opted out</source>
        <translation>Dado de baja</translation>
    </message>
    <message>
        <source>Receives messages</source>
        <translation>Recibe mensajes</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sin nombre)</translation>
    </message>
    <message>
        <source>%1, %2, tags: %3, %4</source>
        <translation>%1, %2, etiquetas: %3, %4</translation>
    </message>
    <message>
        <source>no name</source>
        <translation>sin nombre</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ninguna</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Número</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>Opt-out</source>
        <translation>Baja</translation>
    </message>
    <message>
        <source>Sign in to see the contacts.</source>
        <translation>Inicie sesión para ver los contactos.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactsDialog</name>
    <message>
        <source>Contacts</source>
        <translation>Contactos</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Buscar:</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Buscar contactos</translation>
    </message>
    <message>
        <source>Name or number</source>
        <translation>Nombre o número</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Editar…</translation>
    </message>
    <message>
        <source>Edit contact</source>
        <translation>Editar contacto</translation>
    </message>
    <message>
        <source>Change the name, tags and opt-out of the selected contact</source>
        <translation>Cambiar el nombre, las etiquetas y la baja del contacto seleccionado</translation>
    </message>
    <message>
        <source>&amp;Clear Search</source>
        <translation>&amp;Borrar búsqueda</translation>
    </message>
    <message>
        <source>Clear the search</source>
        <translation>Borrar la búsqueda</translation>
    </message>
    <message>
        <source>Contacts error</source>
        <translation>Error de contactos</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>No contact matches &quot;%1&quot;. Try part of the name or a few digits of the number.</source>
        <translation>Ningún contacto coincide con «%1». Pruebe con parte del nombre o algunos dígitos del número.</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>&amp;Importar…</translation>
    </message>
    <message>
        <source>Add or update contacts from a CSV file</source>
        <translation>Añadir o actualizar contactos desde un archivo CSV</translation>
    </message>
    <message>
        <source>No contacts yet. A contact appears here when a client sends to or hears from a number, or when contacts are imported (Import…, or through the API).</source>
        <translation>Aún no hay contactos. Un contacto aparece aquí cuando un cliente envía mensajes a un número o los recibe de él, o cuando se importan contactos (Importar…, o mediante la API).</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationDelegate</name>
    <message>
        <source>Yesterday</source>
        <translation>Ayer</translation>
    </message>
    <message>
        <source>%1 (opted out)</source>
        <translation>%1 (se dio de baja)</translation>
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
        <translation>Vídeo</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Tarjeta de contacto</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>You: %1</source>
        <translation>Usted: %1</translation>
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
        <translation>, %1 sin leer</translation>
    </message>
    <message>
        <source> (opted out)</source>
        <translation> (se dio de baja)</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <source>Your role can read conversations but not send messages.</source>
        <translation>Su rol puede leer conversaciones, pero no enviar mensajes.</translation>
    </message>
    <message>
        <source>Select a client to see its conversations.</source>
        <translation>Seleccione un cliente para ver sus conversaciones.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The file of this message was not downloaded.</source>
        <translation>El archivo de este mensaje no se descargó.</translation>
    </message>
    <message>
        <source>The file of this message is no longer stored.</source>
        <translation>El archivo de este mensaje ya no está almacenado.</translation>
    </message>
    <message>
        <source>This message has no file.</source>
        <translation>Este mensaje no tiene archivo.</translation>
    </message>
    <message>
        <source>No application opens %1.</source>
        <translation>Ninguna aplicación abre %1.</translation>
    </message>
    <message>
        <source>Save attachment</source>
        <translation>Guardar adjunto</translation>
    </message>
    <message>
        <source>Open attachment</source>
        <translation>Abrir adjunto</translation>
    </message>
    <message>
        <source>&amp;Open attachment</source>
        <translation>&amp;Abrir adjunto</translation>
    </message>
    <message>
        <source>&amp;Save attachment as…</source>
        <translation>&amp;Guardar adjunto como…</translation>
    </message>
    <message>
        <source>The file of this message is still being downloaded.</source>
        <translation>El archivo de este mensaje todavía se está descargando.</translation>
    </message>
    <message>
        <source>Search conversations and messages</source>
        <translation>Buscar conversaciones y mensajes</translation>
    </message>
    <message>
        <source>Search conversations by name or number, and messages by their text</source>
        <translation>Buscar conversaciones por nombre o número, y mensajes por su texto</translation>
    </message>
    <message>
        <source>Conversations</source>
        <translation>Conversaciones</translation>
    </message>
    <message>
        <source>Messages that match the search</source>
        <translation>Mensajes que coinciden con la búsqueda</translation>
    </message>
    <message>
        <source>Send &amp;read receipts</source>
        <translation>Enviar confirmaciones de &amp;lectura</translation>
    </message>
    <message>
        <source>Send read receipts to WhatsApp when a conversation is opened</source>
        <translation>Enviar confirmaciones de lectura a WhatsApp al abrir una conversación</translation>
    </message>
    <message>
        <source>When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks).</source>
        <translation>Si está activado, al abrir una conversación con mensajes sin leer, esta también se marca como leída en WhatsApp (el contacto ve los tics azules).</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>Conversación</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>Nombre del contacto</translation>
    </message>
    <message>
        <source>Name (Enter saves, Esc cancels)</source>
        <translation>Nombre (Intro guarda, Esc cancela)</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>Cambiar &amp;nombre…</translation>
    </message>
    <message>
        <source>Rename contact</source>
        <translation>Cambiar nombre del contacto</translation>
    </message>
    <message>
        <source>Change the contact&apos;s name</source>
        <translation>Cambiar el nombre del contacto</translation>
    </message>
    <message>
        <source>Opt-out state</source>
        <translation>Estado de baja</translation>
    </message>
    <message>
        <source>This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts).</source>
        <translation>Este contacto se dio de baja: los mensajes que se le envíen se rechazan hasta que vuelva a darse de alta (o se anule la baja en Contactos).</translation>
    </message>
    <message>
        <source>No message contains “%1”.</source>
        <translation>Ningún mensaje contiene «%1».</translation>
    </message>
    <message>
        <source>Matching messages: the newest %1</source>
        <translation>Mensajes coincidentes: los %1 más recientes</translation>
    </message>
    <message>
        <source>Matching messages: %1</source>
        <translation>Mensajes coincidentes: %1</translation>
    </message>
    <message>
        <source>Open a conversation first.</source>
        <translation>Abra primero una conversación.</translation>
    </message>
    <message>
        <source>This number has no conversation with the client yet.</source>
        <translation>Este número aún no tiene ninguna conversación con el cliente.</translation>
    </message>
    <message>
        <source>No conversations yet: write to a number below.</source>
        <translation>Aún no hay conversaciones: escriba a un número abajo.</translation>
    </message>
    <message>
        <source>Select a conversation, or write to a new number below.</source>
        <translation>Seleccione una conversación o escriba a un número nuevo abajo.</translation>
    </message>
</context>
<context>
    <name>wadesk::CreateApiKeyDialog</name>
    <message>
        <source>Create API Key</source>
        <translation>Crear clave de API</translation>
    </message>
    <message>
        <source>The key acts with your role. It is shown once, after it is created.</source>
        <translation>La clave actúa con su rol. Se muestra una sola vez, después de crearla.</translation>
    </message>
    <message>
        <source>Key name</source>
        <translation>Nombre de la clave</translation>
    </message>
    <message>
        <source>What uses the key, e.g. CRM sync</source>
        <translation>Qué usa la clave, p. ej. sincronización del CRM</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>E&amp;xpires on:</source>
        <translation>&amp;Caduca el:</translation>
    </message>
    <message>
        <source>The key expires</source>
        <translation>La clave caduca</translation>
    </message>
    <message>
        <source>Expiry date and time</source>
        <translation>Fecha y hora de caducidad</translation>
    </message>
    <message>
        <source>Create API key error</source>
        <translation>Error al crear la clave de API</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Crear</translation>
    </message>
    <message>
        <source>Create API key</source>
        <translation>Crear clave de API</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
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
        <translation>Panel</translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation>&amp;Periodo:</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Cliente:</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Últimos 7 días</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Últimos 30 días</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>Últimos 90 días</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Personalizado…</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Hasta</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Read the figures again</source>
        <translation>Volver a leer las cifras</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <source>Messages today</source>
        <translation>Mensajes de hoy</translation>
    </message>
    <message>
        <source>Delivery rate</source>
        <translation>Tasa de entrega</translation>
    </message>
    <message>
        <source>Read rate</source>
        <translation>Tasa de lectura</translation>
    </message>
    <message>
        <source>Avg. first response</source>
        <translation>Primera respuesta media</translation>
    </message>
    <message>
        <source>Ready sessions</source>
        <translation>Sesiones listas</translation>
    </message>
    <message>
        <source>Queued messages</source>
        <translation>Mensajes en cola</translation>
    </message>
    <message>
        <source>Per client</source>
        <translation>Por cliente</translation>
    </message>
    <message>
        <source>Per team member</source>
        <translation>Por miembro del equipo</translation>
    </message>
    <message>
        <source>Per day</source>
        <translation>Por día</translation>
    </message>
    <message>
        <source>Outbound messages each member wrote and the conversations they answered (messages written on the phone have no author and are in no row)</source>
        <translation>Mensajes salientes que escribió cada miembro y las conversaciones que respondió (los mensajes escritos en el teléfono no tienen autor y no están en ninguna fila)</translation>
    </message>
    <message>
        <source>View as &amp;JSON…</source>
        <translation>Ver como &amp;JSON…</translation>
    </message>
    <message>
        <source>Save the Dashboard as JSON</source>
        <translation>Guardar el panel como JSON</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Per-client table as &amp;CSV…</source>
        <translation>Tabla por cliente como &amp;CSV…</translation>
    </message>
    <message>
        <source>Per-member table as CSV…</source>
        <translation>Tabla por miembro como CSV…</translation>
    </message>
    <message>
        <source>Per-day table as CSV…</source>
        <translation>Tabla por día como CSV…</translation>
    </message>
    <message>
        <source>Save a table as CSV</source>
        <translation>Guardar una tabla como CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>“%1” as PNG…</source>
        <translation>«%1» como PNG…</translation>
    </message>
    <message>
        <source>Save a chart as PNG</source>
        <translation>Guardar un gráfico como PNG</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Imagen PNG (*.png)</translation>
    </message>
    <message>
        <source>Report as &amp;PDF…</source>
        <translation>Informe como &amp;PDF…</translation>
    </message>
    <message>
        <source>Save the report as PDF</source>
        <translation>Guardar el informe como PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>All clients</source>
        <translation>Todos los clientes</translation>
    </message>
    <message>
        <source>Reading the figures…</source>
        <translation>Leyendo las cifras…</translation>
    </message>
    <message>
        <source>Could not read the figures: %1</source>
        <translation>No se pudieron leer las cifras: %1</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>%1 · %2 · days in %3 · updated %4</source>
        <translation>%1 · %2 · días en %3 · actualizado %4</translation>
    </message>
    <message>
        <source>%1 in total, in and out</source>
        <translation>%1 en total, entrantes y salientes</translation>
    </message>
    <message>
        <source>%1 of %2 sent</source>
        <translation>%1 de %2 enviados</translation>
    </message>
    <message>
        <source>nothing sent in the range</source>
        <translation>nada enviado en el periodo</translation>
    </message>
    <message>
        <source>median %1 · %2 of %3 answered</source>
        <translation>mediana %1 · %2 de %3 respondidas</translation>
    </message>
    <message>
        <source>no conversation answered in the range</source>
        <translation>ninguna conversación respondida en el periodo</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>local time</source>
        <translation>hora local</translation>
    </message>
    <message>
        <source>The figures could not be read (%1).
The Dashboard tries again with the next message, or use Refresh.</source>
        <translation>No se pudieron leer las cifras (%1).
El panel lo vuelve a intentar con el próximo mensaje, o use Actualizar.</translation>
    </message>
    <message>
        <source>No WhatsApp clients yet.
Add one with File → Add Client, link its phone, and the daily volume, delivery and read rates, response times and busiest hours of its messages appear here.</source>
        <translation>Aún no hay clientes de WhatsApp.
Añada uno con Archivo → Añadir cliente, vincule su teléfono, y aquí aparecerán el volumen diario, las tasas de entrega y de lectura, los tiempos de respuesta y las horas de más actividad de sus mensajes.</translation>
    </message>
    <message>
        <source>No WhatsApp clients are assigned to you yet.
Once an admin assigns you clients, the daily volume, rates, response times and busiest hours of their messages appear here.</source>
        <translation>Aún no tiene clientes de WhatsApp asignados.
Cuando un administrador le asigne clientes, aquí aparecerán el volumen diario, las tasas, los tiempos de respuesta y las horas de más actividad de sus mensajes.</translation>
    </message>
    <message>
        <source>No messages were sent or received %1 %2.
The daily volume, delivery and read rates, response times and busiest hours appear here as soon as messages are sent or received; pick a longer range to see earlier ones.</source>
        <translation>No se enviaron ni recibieron mensajes %1 %2.
El volumen diario, las tasas de entrega y de lectura, los tiempos de respuesta y las horas de más actividad aparecen aquí en cuanto se envían o reciben mensajes; elija un periodo más largo para ver los anteriores.</translation>
    </message>
    <message>
        <source>on</source>
        <translation>el</translation>
    </message>
    <message>
        <source>from</source>
        <translation>del</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 al %2</translation>
    </message>
    <message>
        <source>
(Only %1 is shown: choose All clients to see the others.)</source>
        <translation>
(Solo se muestra %1: elija Todos los clientes para ver los demás.)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>no clients to run</source>
        <translation>no hay clientes que ejecutar</translation>
    </message>
    <message>
        <source>WhatsApp sessions ready now</source>
        <translation>Sesiones de WhatsApp listas ahora</translation>
    </message>
    <message>
        <source>accepted, waiting to be sent</source>
        <translation>aceptados, a la espera de enviarse</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>No se puede escribir %1</translation>
    </message>
</context>
<context>
    <name>wadesk::DeleteClientDialog</name>
    <message>
        <source>Delete Client</source>
        <translation>Eliminar cliente</translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation>«%1»</translation>
    </message>
    <message>
        <source>&quot;%1&quot; (%2)</source>
        <translation>«%1» (%2)</translation>
    </message>
    <message>
        <source>Deleting %1 cannot be undone:</source>
        <translation>La eliminación de %1 no se puede deshacer:</translation>
    </message>
    <message>
        <source>• Its WhatsApp session, running now, stops, and this computer&apos;s link to the number is removed.</source>
        <translation>• Su sesión de WhatsApp, en ejecución ahora, se detiene y se elimina el vínculo de este equipo con el número.</translation>
    </message>
    <message>
        <source>• This computer&apos;s link to the number is removed.</source>
        <translation>• Se elimina el vínculo de este equipo con el número.</translation>
    </message>
    <message>
        <source>WhatsApp stays on the phone; the number can be linked to a new client later.</source>
        <translation>WhatsApp sigue en el teléfono; el número se puede vincular más adelante a un cliente nuevo.</translation>
    </message>
    <message>
        <source>• Every message of this client is deleted: its whole history and its conversations.</source>
        <translation>• Se eliminan todos los mensajes de este cliente: todo su historial y sus conversaciones.</translation>
    </message>
    <message>
        <source>• Messages queued now and never to be sent: %1.</source>
        <translation>• Mensajes en cola ahora que nunca se enviarán: %1.</translation>
    </message>
    <message>
        <source>• Nothing is queued now; anything queued until then is never sent.</source>
        <translation>• Ahora no hay nada en cola; lo que se ponga en cola hasta entonces nunca se enviará.</translation>
    </message>
    <message>
        <source>• Its rate limits, proxy assignment and team members&apos; assignments to it go too.</source>
        <translation>• También se eliminan sus límites de envío, su asignación de proxy y las asignaciones de miembros del equipo a él.</translation>
    </message>
    <message>
        <source>The audit log keeps a record of the deletion.</source>
        <translation>El registro de auditoría conserva constancia de la eliminación.</translation>
    </message>
    <message>
        <source>Type the client&apos;s name, %1, to confirm:</source>
        <translation>Escriba el nombre del cliente, %1, para confirmar:</translation>
    </message>
    <message>
        <source>Client name to confirm the deletion</source>
        <translation>Nombre del cliente para confirmar la eliminación</translation>
    </message>
    <message>
        <source>&amp;Delete Client</source>
        <translation>&amp;Eliminar cliente</translation>
    </message>
    <message>
        <source>Delete the client</source>
        <translation>Eliminar el cliente</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::DeliveryLogModel</name>
    <message>
        <source>Pending</source>
        <translation>Pendiente</translation>
    </message>
    <message>
        <source>Delivering</source>
        <translation>Entregando</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Reintentando</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Correcta</translation>
    </message>
    <message>
        <source>Dead letter</source>
        <translation>Mensaje fallido</translation>
    </message>
    <message>
        <source>%1, %2, %3, attempts: %4</source>
        <translation>%1, %2, %3, intentos: %4</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Intentos</translation>
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
        <translation>Su rol no puede administrar webhooks.</translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <source>&amp;Show WaDesk</source>
        <translation>&amp;Mostrar WaDesk</translation>
    </message>
    <message>
        <source>&amp;Pause all clients</source>
        <translation>&amp;Pausar todos los clientes</translation>
    </message>
    <message>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation>Detener la cola de envío de cada cliente hasta que se reanude</translation>
    </message>
    <message>
        <source>Desktop &amp;notifications</source>
        <translation>&amp;Notificaciones de escritorio</translation>
    </message>
    <message>
        <source>Show a notification when a message arrives</source>
        <translation>Mostrar una notificación cuando llegue un mensaje</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <source>&amp;Quit WaDesk</source>
        <translation>&amp;Salir de WaDesk</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk sigue ejecutándose en la bandeja del sistema. Use «Salir de WaDesk» en su menú para detenerlo.</translation>
    </message>
    <message>
        <source>New message from %1</source>
        <translation>Nuevo mensaje de %1</translation>
    </message>
    <message numerus="yes">
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n mensaje sin leer</numerusform>
            <numerusform>WaDesk: %n mensajes sin leer</numerusform>
        </translation>
    </message>
    <message>
        <source>WaDesk: no unread messages</source>
        <translation>WaDesk: no hay mensajes sin leer</translation>
    </message>
    <message>
        <source>Pause all clients</source>
        <translation>Pausar todos los clientes</translation>
    </message>
    <message>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>¿Detener el envío en todos los clientes de su organización? Los mensajes en cola permanecen en cola hasta que se reanude cada cliente.</translation>
    </message>
    <message numerus="yes">
        <source>%n client(s) paused.</source>
        <translation>
            <numerusform>%n cliente pausado.</numerusform>
            <numerusform>%n clientes pausados.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wadesk::ErrorText</name>
    <message>
        <source>The name must be 1 to 100 characters.</source>
        <translation>El nombre debe tener entre 1 y 100 caracteres.</translation>
    </message>
    <message>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation>El nombre de la organización debe tener entre 1 y 200 caracteres.</translation>
    </message>
    <message>
        <source>This is not a valid email address.</source>
        <translation>No es una dirección de correo válida.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters.</source>
        <translation>La contraseña debe tener entre %1 y %2 caracteres.</translation>
    </message>
    <message>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation>Elija un rol: administrador, gestor, agente u observador.</translation>
    </message>
    <message>
        <source>The message must not be empty.</source>
        <translation>El mensaje no puede estar vacío.</translation>
    </message>
    <message>
        <source>This is not a valid phone number.</source>
        <translation>No es un número de teléfono válido.</translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation>No tiene permiso para hacer esto.</translation>
    </message>
    <message>
        <source>You may not manage members with this role.</source>
        <translation>No puede gestionar miembros con este rol.</translation>
    </message>
    <message>
        <source>It does not exist any more, or you may not see it.</source>
        <translation>Ya no existe, o no tiene permiso para verlo.</translation>
    </message>
    <message>
        <source>Invalid email or password.</source>
        <translation>Correo o contraseña incorrectos.</translation>
    </message>
    <message>
        <source>The account is disabled.</source>
        <translation>La cuenta está desactivada.</translation>
    </message>
    <message>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation>Demasiados intentos de inicio de sesión fallidos; inténtelo más tarde.</translation>
    </message>
    <message>
        <source>A user with this email already exists.</source>
        <translation>Ya existe un usuario con este correo.</translation>
    </message>
    <message>
        <source>The organization needs at least one active admin.</source>
        <translation>La organización necesita al menos un administrador activo.</translation>
    </message>
    <message>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation>No puede cambiar su propio rol, ni desactivarse ni eliminarse.</translation>
    </message>
    <message>
        <source>A client with this phone number already exists.</source>
        <translation>Ya existe un cliente con este número de teléfono.</translation>
    </message>
    <message>
        <source>The client is not running.</source>
        <translation>El cliente no está en ejecución.</translation>
    </message>
    <message>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation>El cliente no está listo: vincúlelo primero escaneando su código QR.</translation>
    </message>
    <message>
        <source>The client is paused; resume it to send.</source>
        <translation>El cliente está en pausa; reanúdelo para enviar.</translation>
    </message>
    <message>
        <source>The contact opted out of messages.</source>
        <translation>El contacto se dio de baja de los mensajes.</translation>
    </message>
    <message>
        <source>Rate limit reached for this client.</source>
        <translation>Se alcanzó el límite de envío de este cliente.</translation>
    </message>
    <message>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation>Las sesiones de WhatsApp no se ejecutan en este proceso.</translation>
    </message>
    <message>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation>Algo falló dentro de WaDesk; el registro tiene los detalles.</translation>
    </message>
    <message>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation>Este proxy ya está en el conjunto (mismo host, puerto y usuario).</translation>
    </message>
    <message numerus="yes">
        <source>%n clients use this proxy: assign them another proxy, or none, before deleting it.</source>
        <translation>
            <numerusform>%n cliente usa este proxy: asígnele otro proxy, o ninguno, antes de eliminarlo.</numerusform>
            <numerusform>%n clientes usan este proxy: asígneles otro proxy, o ninguno, antes de eliminarlo.</numerusform>
        </translation>
    </message>
    <message>
        <source>This proxy already serves its maximum of clients: choose another one or raise its maximum.</source>
        <translation>Este proxy ya atiende su máximo de clientes: elija otro o aumente su máximo.</translation>
    </message>
    <message>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation>Ningún proxy está libre: todos están caídos o atienden su máximo de clientes.</translation>
    </message>
    <message>
        <source>This client does not allow moving it to another proxy.</source>
        <translation>Este cliente no permite pasarlo a otro proxy.</translation>
    </message>
    <message>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation>Elija el tipo de proxy: HTTP o SOCKS5.</translation>
    </message>
    <message>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation>El host debe ser un nombre de host o una dirección IP, sin espacios.</translation>
    </message>
    <message>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>El puerto debe ser un número del 1 al 65535.</translation>
    </message>
    <message>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation>El usuario debe tener como máximo 255 bytes, sin caracteres de control (y sin «:» en un proxy HTTP).</translation>
    </message>
    <message>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation>La contraseña del proxy debe tener como máximo 255 bytes sin caracteres de control y necesita un usuario.</translation>
    </message>
    <message>
        <source>The label must be 1 to 100 characters.</source>
        <translation>La etiqueta debe tener de 1 a 100 caracteres.</translation>
    </message>
    <message>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation>El país debe ser un código de dos letras como ES o US.</translation>
    </message>
    <message numerus="yes">
        <source>The most clients cannot go below the %n clients using the proxy.</source>
        <translation>
            <numerusform>El máximo de clientes no puede ser inferior al %n cliente que usa el proxy.</numerusform>
            <numerusform>El máximo de clientes no puede ser inferior a los %n clientes que usan el proxy.</numerusform>
        </translation>
    </message>
    <message>
        <source>The most clients must be a number from 1 to 1000.</source>
        <translation>El máximo de clientes debe ser un número del 1 al 1000.</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>El archivo está vacío.</translation>
    </message>
    <message>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation>El archivo está dañado o incompleto, o no es lo que indica su tipo.</translation>
    </message>
    <message>
        <source>The file is larger than WaDesk accepts.</source>
        <translation>El archivo es más grande de lo que WaDesk acepta.</translation>
    </message>
    <message>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation>WhatsApp no acepta este tipo de archivo. Se pueden enviar imágenes (JPEG, PNG, WebP), vídeos (MP4, 3GP), audio, PDF, documentos de oficina y archivos de texto.</translation>
    </message>
    <message>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation>El contenido del archivo no coincide con su tipo declarado.</translation>
    </message>
    <message>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation>El almacenamiento de medios de la organización está lleno: elimine archivos o pida a un administrador que aumente la cuota.</translation>
    </message>
    <message>
        <source>A message waiting to be sent still needs this file.</source>
        <translation>Un mensaje pendiente de envío todavía necesita este archivo.</translation>
    </message>
    <message>
        <source>Media storage is not available.</source>
        <translation>El almacenamiento de medios no está disponible.</translation>
    </message>
    <message>
        <source>The URL must be a full http:// or https:// address without a user name or password, at most 2048 characters.</source>
        <translation>La URL debe ser una dirección http:// o https:// completa, sin nombre de usuario ni contraseña, de 2048 caracteres como máximo.</translation>
    </message>
    <message>
        <source>Choose 1 to 50 events to send.</source>
        <translation>Elija de 1 a 50 eventos que enviar.</translation>
    </message>
    <message>
        <source>The expiry must be in the future.</source>
        <translation>La caducidad debe estar en el futuro.</translation>
    </message>
    <message>
        <source>This client cannot be linked now: it is not showing its QR code.</source>
        <translation>Este cliente no se puede vincular ahora: no muestra su código QR.</translation>
    </message>
    <message>
        <source>WhatsApp gave no code for this number. Check that the number uses WhatsApp.</source>
        <translation>WhatsApp no dio ningún código para este número. Compruebe que el número usa WhatsApp.</translation>
    </message>
    <message>
        <source>WhatsApp Web did not answer. Try again.</source>
        <translation>WhatsApp Web no respondió. Vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>No instance with this id shares the database (any more).</source>
        <translation>Ninguna instancia con este identificador comparte (ya) la base de datos.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Otros sistemas envían y reciben mensajes a través de la API REST de WaDesk. De forma predeterminada solo responde en este equipo.</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>Dirección de la API</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Dirección:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>Puerto de la API</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>Entiendo que esta dirección &amp;expone la API a la red</translation>
    </message>
    <message>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Confirmar que la API queda expuesta a la red</translation>
    </message>
    <message>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>Esta dirección es accesible desde otros equipos. Ponga WaDesk detrás de TLS (un proxy inverso) y mantenga en secreto las claves de API.</translation>
    </message>
    <message>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Introduzca una dirección IP, como 127.0.0.1 (solo este equipo) o 0.0.0.0 (todas las redes).</translation>
    </message>
    <message>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 no es una dirección de loopback: confirme que la API puede quedar expuesta a la red o use 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Dónde guarda WaDesk sus datos. La base de datos integrada basta para un equipo; use PostgreSQL para ejecutar varias instancias de WaDesk sobre los mismos datos.</translation>
    </message>
    <message>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>Base de datos &amp;integrada (SQLite, recomendada)</translation>
    </message>
    <message>
        <source>Embedded SQLite database</source>
        <translation>Base de datos SQLite integrada</translation>
    </message>
    <message>
        <source>File: %1</source>
        <translation>Archivo: %1</translation>
    </message>
    <message>
        <source>&amp;PostgreSQL server</source>
        <translation>Servidor &amp;PostgreSQL</translation>
    </message>
    <message>
        <source>PostgreSQL server</source>
        <translation>Servidor PostgreSQL</translation>
    </message>
    <message>
        <source>PostgreSQL URL</source>
        <translation>URL de PostgreSQL</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>&amp;Probar conexión</translation>
    </message>
    <message>
        <source>Test the PostgreSQL connection</source>
        <translation>Probar la conexión con PostgreSQL</translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation>Resultado de la prueba de conexión</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>Conectado.</translation>
    </message>
    <message>
        <source>The connection failed: %1</source>
        <translation>La conexión falló: %1</translation>
    </message>
    <message>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Introduzca una URL de la forma postgres://usuario:contraseña@host:5432/basededatos.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <source>Your organization</source>
        <translation>Su organización</translation>
    </message>
    <message>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk mantiene separados los clientes, mensajes y equipo de cada organización. Cree la suya y su primer administrador: usted.</translation>
    </message>
    <message>
        <source>&amp;Organization:</source>
        <translation>&amp;Organización:</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Nombre de la organización</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>Su &amp;nombre:</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message numerus="yes">
        <source>at least %n characters</source>
        <translation>
            <numerusform>al menos %n carácter</numerusform>
            <numerusform>al menos %n caracteres</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Confirm password:</source>
        <translation>Co&amp;nfirmar contraseña:</translation>
    </message>
    <message>
        <source>Confirm password</source>
        <translation>Confirmar contraseña</translation>
    </message>
    <message>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Introduzca el nombre de la organización (como máximo 200 caracteres).</translation>
    </message>
    <message>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Introduzca su nombre (como máximo 100 caracteres).</translation>
    </message>
    <message>
        <source>Enter a valid email address.</source>
        <translation>Introduzca una dirección de correo electrónico válida.</translation>
    </message>
    <message>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>La contraseña debe tener entre %1 y %2 caracteres.</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>Las dos contraseñas no coinciden.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <source>Secrets</source>
        <translation>Secretos</translation>
    </message>
    <message>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk cifra sus secretos con una clave maestra. Elija dónde se guarda y haga una copia de seguridad junto con la base de datos.</translation>
    </message>
    <message>
        <source>The system &amp;keychain</source>
        <translation>El &amp;llavero del sistema</translation>
    </message>
    <message>
        <source>Keep the master key in the system keychain</source>
        <translation>Guardar la clave maestra en el llavero del sistema</translation>
    </message>
    <message>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>Un &amp;archivo de clave que solo usted puede leer (%1)</translation>
    </message>
    <message>
        <source>Keep the master key in a key file</source>
        <translation>Guardar la clave maestra en un archivo de clave</translation>
    </message>
    <message>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>La variable de &amp;entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Tomar la clave maestra de WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>Keychain check result</source>
        <translation>Resultado de la comprobación del llavero</translation>
    </message>
    <message>
        <source>Check the keychain &amp;again</source>
        <translation>Comprobar el llavero de &amp;nuevo</translation>
    </message>
    <message>
        <source>Check the system keychain again</source>
        <translation>Comprobar de nuevo el llavero del sistema</translation>
    </message>
    <message>
        <source>Checking the system keychain…</source>
        <translation>Comprobando el llavero del sistema…</translation>
    </message>
    <message>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>El llavero del sistema funciona aquí: es el lugar recomendado.</translation>
    </message>
    <message>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>Existe un llavero del sistema, pero denegó el acceso (%1). Desbloquéelo y compruebe de nuevo, o use un archivo de clave.</translation>
    </message>
    <message>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>No hay ningún llavero del sistema disponible aquí (%1): se usa el archivo de clave en su lugar. Guarde una copia de seguridad.</translation>
    </message>
    <message>
        <source>no Secret Service or KWallet</source>
        <translation>ni Secret Service ni KWallet</translation>
    </message>
    <message>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY está definida en el entorno: tiene prioridad mientras esté definida.</translation>
    </message>
    <message>
        <source>Checking the system keychain… If the system asks to create or unlock a keyring, answer it.</source>
        <translation>Comprobando el llavero del sistema… Si el sistema pide crear o desbloquear un llavero, respóndale.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSetup</name>
    <message>
        <source>The host name %1 cannot be found. Check its spelling, or use the server&apos;s IP address.</source>
        <translation>No se encuentra el nombre de host %1. Compruebe cómo está escrito o use la dirección IP del servidor.</translation>
    </message>
    <message>
        <source>Nothing answers at %1. Is PostgreSQL running there, listening on that port and on this network address (listen_addresses)?</source>
        <translation>Nada responde en %1. ¿Se está ejecutando PostgreSQL allí, escuchando en ese puerto y en esta dirección de red (listen_addresses)?</translation>
    </message>
    <message>
        <source>%1 did not answer in time. Check the address and port, and that no firewall is in the way.</source>
        <translation>%1 no respondió a tiempo. Compruebe la dirección y el puerto, y que ningún cortafuegos lo impida.</translation>
    </message>
    <message>
        <source>The server refused the password for the user %1.</source>
        <translation>El servidor rechazó la contraseña del usuario %1.</translation>
    </message>
    <message>
        <source>The server has no user %1. Create it (createuser) or use another.</source>
        <translation>El servidor no tiene el usuario %1. Créelo (createuser) o use otro.</translation>
    </message>
    <message>
        <source>The server has no database %1. Create it first (createdb -O %2 %1).</source>
        <translation>El servidor no tiene la base de datos %1. Créela primero (createdb -O %2 %1).</translation>
    </message>
    <message>
        <source>The server does not accept connections from this computer for the user %1: add a line for it to the server&apos;s pg_hba.conf.</source>
        <translation>El servidor no acepta conexiones de este equipo para el usuario %1: añada una línea para ello al pg_hba.conf del servidor.</translation>
    </message>
    <message>
        <source>The connection to %1 failed.</source>
        <translation>La conexión con %1 falló.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Todavía no se ha escrito nada. Pulse «Finalizar» para crear la organización y guardar esta configuración.</translation>
    </message>
    <message>
        <source>Summary of the choices</source>
        <translation>Resumen de las opciones</translation>
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
        <translation>el llavero del sistema</translation>
    </message>
    <message>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>la variable de entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <source>key file %1</source>
        <translation>archivo de clave %1</translation>
    </message>
    <message>
        <source>(exposed to the network)</source>
        <translation>(expuesta a la red)</translation>
    </message>
    <message>
        <source>Organization</source>
        <translation>Organización</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <source>Master key</source>
        <translation>Clave maestra</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation>Archivo de configuración</translation>
    </message>
    <message>
        <source>Creating the organization and saving the settings…</source>
        <translation>Creando la organización y guardando la configuración…</translation>
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
        <translation>Bienvenido a %1</translation>
    </message>
    <message>
        <source>WaDesk could not be set up: %1</source>
        <translation>No se pudo configurar WaDesk: %1</translation>
    </message>
    <message>
        <source>WaDesk is ready</source>
        <translation>WaDesk está listo</translation>
    </message>
    <message>
        <source>The organization %1 and its administrator %2 were created. Sign in next.

Below is the organization&apos;s first API key. Copy it now if an integration needs it; you can create others later.</source>
        <translation>Se crearon la organización %1 y su administrador %2. Ahora inicie sesión.

Abajo está la primera clave de API de la organización. Cópiela ahora si una integración la necesita; puede crear otras más adelante.</translation>
    </message>
</context>
<context>
    <name>wadesk::HeatmapWidget</name>
    <message>
        <source>%1 %2:00–%3:00: %4 sent, %5 received</source>
        <translation>%1 %2:00–%3:00: %4 enviados, %5 recibidos</translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceActions</name>
    <message>
        <source>&amp;Instances…</source>
        <translation>&amp;Instancias…</translation>
    </message>
    <message>
        <source>The instances sharing this database, their sessions; drain one</source>
        <translation>Las instancias que comparten esta base de datos y sus sesiones; vaciar una</translation>
    </message>
    <message>
        <source>Run on &amp;Instance…</source>
        <translation>&amp;Ejecutar en instancia…</translation>
    </message>
    <message>
        <source>Choose the instance the selected client runs on</source>
        <translation>Elegir la instancia en la que se ejecuta el cliente seleccionado</translation>
    </message>
    <message>
        <source>Run on instance</source>
        <translation>Ejecutar en instancia</translation>
    </message>
</context>
<context>
    <name>wadesk::InstanceListModel</name>
    <message>
        <source>never</source>
        <translation>nunca</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>justo ahora</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>hace %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>hace %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>hace %1 h</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>hace %1 d</translation>
    </message>
    <message>
        <source>%1 (this desktop)</source>
        <translation>%1 (este escritorio)</translation>
    </message>
    <message>
        <source>Alive</source>
        <translation>Activa</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>Vaciándose</translation>
    </message>
    <message>
        <source>%1 on %2, version %3, last heartbeat %4, %5%6, sessions: %7</source>
        <translation>%1 en %2, versión %3, último latido %4, %5%6, sesiones: %7</translation>
    </message>
    <message>
        <source>, draining</source>
        <translation>, vaciándose</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instancia</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <source>Last heartbeat</source>
        <translation>Último latido</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sesiones</translation>
    </message>
    <message>
        <source>Sign in to see the instances.</source>
        <translation>Inicie sesión para ver las instancias.</translation>
    </message>
</context>
<context>
    <name>wadesk::InstancesDialog</name>
    <message>
        <source>Instances</source>
        <translation>Instancias</translation>
    </message>
    <message>
        <source>The WaDesk instances sharing this database. Each session runs on one of them; a draining instance hands its sessions over to the others and takes no new ones. Sessions are counted for your organization&apos;s clients.</source>
        <translation>Las instancias de WaDesk que comparten esta base de datos. Cada sesión se ejecuta en una de ellas; una instancia que se vacía entrega sus sesiones a las demás y no acepta nuevas. Se cuentan las sesiones de los clientes de su organización.</translation>
    </message>
    <message>
        <source>&amp;Drain…</source>
        <translation>&amp;Vaciar…</translation>
    </message>
    <message>
        <source>Drain instance</source>
        <translation>Vaciar instancia</translation>
    </message>
    <message>
        <source>Move the selected instance&apos;s sessions to the other instances, one by one</source>
        <translation>Trasladar las sesiones de la instancia seleccionada a las demás instancias, una por una</translation>
    </message>
    <message>
        <source>&amp;Undrain</source>
        <translation>&amp;Dejar de vaciar</translation>
    </message>
    <message>
        <source>Undrain instance</source>
        <translation>Dejar de vaciar la instancia</translation>
    </message>
    <message>
        <source>Let the selected instance take sessions again</source>
        <translation>Permitir que la instancia seleccionada vuelva a aceptar sesiones</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>Refresh instances</source>
        <translation>Actualizar instancias</translation>
    </message>
    <message>
        <source>Instances error</source>
        <translation>Error de las instancias</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>No instance has registered in this database yet.</source>
        <translation>Todavía no se ha registrado ninguna instancia en esta base de datos.</translation>
    </message>
    <message>
        <source>Drain the instance &quot;%1&quot;? Its sessions move to the other instances one by one, and it takes no new ones until you undrain it.</source>
        <translation>¿Vaciar la instancia «%1»? Sus sesiones pasan a las demás instancias una por una, y no acepta nuevas hasta que deje de vaciarla.</translation>
    </message>
    <message>
        <source>Drain</source>
        <translation>Vaciar</translation>
    </message>
</context>
<context>
    <name>wadesk::LinkPanel</name>
    <message>
        <source>Link this client</source>
        <translation>Vincular este cliente</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan this code.</source>
        <translation>En el teléfono abra WhatsApp → Ajustes → Dispositivos vinculados → Vincular un dispositivo, y escanee este código.</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>Código &amp;nuevo</translation>
    </message>
    <message>
        <source>Show a new QR code</source>
        <translation>Mostrar un código QR nuevo</translation>
    </message>
    <message>
        <source>Link with &amp;phone number instead…</source>
        <translation>Vincular con el número de &amp;teléfono…</translation>
    </message>
    <message>
        <source>Link with phone number instead</source>
        <translation>Vincular con el número de teléfono</translation>
    </message>
    <message>
        <source>Asking WhatsApp for a new code…</source>
        <translation>Pidiendo a WhatsApp un código nuevo…</translation>
    </message>
    <message>
        <source>Waiting for the code…</source>
        <translation>Esperando el código…</translation>
    </message>
    <message>
        <source>No QR code yet</source>
        <translation>Aún no hay código QR</translation>
    </message>
    <message>
        <source>QR code to link %1</source>
        <translation>Código QR para vincular %1</translation>
    </message>
    <message>
        <source>The code expired. Click &quot;New code&quot; for another one.</source>
        <translation>El código caducó. Haga clic en «Código nuevo» para obtener otro.</translation>
    </message>
    <message>
        <source>WhatsApp has not given a code yet.</source>
        <translation>WhatsApp aún no ha dado ningún código.</translation>
    </message>
    <message>
        <source>This code changes in %1:%2.</source>
        <translation>Este código cambia en %1:%2.</translation>
    </message>
    <message>
        <source>This code is about to change.</source>
        <translation>Este código está a punto de cambiar.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <source>WhatsApp clients</source>
        <translation>Clientes de WhatsApp</translation>
    </message>
    <message>
        <source>Selected client</source>
        <translation>Cliente seleccionado</translation>
    </message>
    <message>
        <source>&amp;WhatsApp</source>
        <translation>&amp;WhatsApp</translation>
    </message>
    <message>
        <source>C&amp;onversations</source>
        <translation>C&amp;onversaciones</translation>
    </message>
    <message>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation>La página de WhatsApp Web en vivo del cliente (Ctrl+1)</translation>
    </message>
    <message>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation>Contactos, mensajes y envío (Ctrl+2)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <source>&amp;Find Contact</source>
        <translation>&amp;Buscar contacto</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;WhatsApp Page</source>
        <translation>Página de &amp;WhatsApp</translation>
    </message>
    <message>
        <source>&amp;Conversations</source>
        <translation>&amp;Conversaciones</translation>
    </message>
    <message>
        <source>Client &amp;List</source>
        <translation>&amp;Lista de clientes</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>Main Toolbar</source>
        <translation>Barra de herramientas principal</translation>
    </message>
    <message>
        <source>&amp;Client</source>
        <translation>&amp;Cliente</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>&amp;About WaDesk</source>
        <translation>&amp;Acerca de WaDesk</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Acerca de &amp;Qt</translation>
    </message>
    <message>
        <source>&amp;Team…</source>
        <translation>&amp;Equipo…</translation>
    </message>
    <message>
        <source>Add team members, change their roles and assign clients</source>
        <translation>Añadir miembros del equipo, cambiar sus roles y asignar clientes</translation>
    </message>
    <message>
        <source>Secrets: %1</source>
        <translation>Secretos: %1</translation>
    </message>
    <message>
        <source>off</source>
        <translation>desactivada</translation>
    </message>
    <message>
        <source>checking</source>
        <translation>comprobando</translation>
    </message>
    <message>
        <source>running</source>
        <translation>en ejecución</translation>
    </message>
    <message>
        <source>degraded (HTTP %1)</source>
        <translation>degradada (HTTP %1)</translation>
    </message>
    <message>
        <source>not answering</source>
        <translation>no responde</translation>
    </message>
    <message>
        <source>API: off</source>
        <translation>API: desactivada</translation>
    </message>
    <message>
        <source>API: %1 (%2)</source>
        <translation>API: %1 (%2)</translation>
    </message>
    <message>
        <source>Ready: %1 of %2</source>
        <translation>Listos: %1 de %2</translation>
    </message>
    <message>
        <source>Show &amp;WhatsApp Page</source>
        <translation>Mostrar página de &amp;WhatsApp</translation>
    </message>
    <message>
        <source>Show &amp;Conversations</source>
        <translation>Mostrar &amp;conversaciones</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Gestiona las sesiones de WhatsApp de un equipo, con una API REST y webhooks firmados.&lt;/p&gt;&lt;p&gt;Qt %2 (compilado con %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(not loaded)</source>
        <translation>(no cargado)</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Base de datos: %1</translation>
    </message>
    <message>
        <source>About WaDesk</source>
        <translation>Acerca de WaDesk</translation>
    </message>
    <message>
        <source>&amp;Proxies</source>
        <translation>&amp;Proxies</translation>
    </message>
    <message>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation>El conjunto de proxies: la dirección propia de cada cliente, su estado y qué cliente usa cuál</translation>
    </message>
    <message>
        <source>Proxies (Ctrl+3)</source>
        <translation>Proxies (Ctrl+3)</translation>
    </message>
    <message>
        <source>Assign Pro&amp;xy…</source>
        <translation>Asignar pro&amp;xy…</translation>
    </message>
    <message>
        <source>Choose the proxy the selected client uses</source>
        <translation>Elegir el proxy que usa el cliente seleccionado</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>Pa&amp;nel</translation>
    </message>
    <message>
        <source>Messages, delivery and read rates, response times and busiest hours, with exports</source>
        <translation>Mensajes, tasas de entrega y de lectura, tiempos de respuesta y horas de más actividad, con exportaciones</translation>
    </message>
    <message>
        <source>Dashboard (Ctrl+4)</source>
        <translation>Panel (Ctrl+4)</translation>
    </message>
    <message>
        <source>Ready: %1 of %2 (%3 paused)</source>
        <translation>Listos: %1 de %2 (%3 en pausa)</translation>
    </message>
    <message>
        <source>Clients whose WhatsApp session is linked and running, of the clients you see (paused ones included: their queue waits)</source>
        <translation>Clientes cuya sesión de WhatsApp está vinculada y en ejecución, de los clientes que ve (incluidos los que están en pausa: su cola espera)</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>Ad&amp;ministración</translation>
    </message>
    <message>
        <source>&amp;Webhooks…</source>
        <translation>&amp;Webhooks…</translation>
    </message>
    <message>
        <source>The endpoints that receive events, their deliveries and dead letters</source>
        <translation>Los destinos que reciben eventos, sus entregas y sus mensajes fallidos</translation>
    </message>
    <message>
        <source>API &amp;Keys…</source>
        <translation>&amp;Claves de API…</translation>
    </message>
    <message>
        <source>Create and revoke keys for the REST API</source>
        <translation>Crear y revocar claves para la API REST</translation>
    </message>
    <message>
        <source>A&amp;udit Log…</source>
        <translation>Registro de a&amp;uditoría…</translation>
    </message>
    <message>
        <source>Who did what, when; verify the log&apos;s hash chain; export it</source>
        <translation>Quién hizo qué y cuándo; verificar la cadena de hashes del registro; exportarlo</translation>
    </message>
    <message>
        <source>&amp;Contacts…</source>
        <translation>C&amp;ontactos…</translation>
    </message>
    <message>
        <source>Every contact with its tags and opt-out; search and edit</source>
        <translation>Todos los contactos con sus etiquetas y su baja; buscar y editar</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>Con&amp;figuración…</translation>
    </message>
    <message>
        <source>Organization, client limits and this installation&apos;s settings</source>
        <translation>Organización, límites de clientes y la configuración de esta instalación</translation>
    </message>
    <message>
        <source>My Acc&amp;ount…</source>
        <translation>&amp;Mi cuenta…</translation>
    </message>
    <message>
        <source>Change your password; delete a client</source>
        <translation>Cambiar su contraseña; eliminar un cliente</translation>
    </message>
    <message>
        <source>Ca&amp;mpaigns…</source>
        <translation>Ca&amp;mpañas…</translation>
    </message>
    <message>
        <source>Bulk sending: campaigns with their progress; create, start, pause, resume, cancel</source>
        <translation>Envío masivo: campañas con su progreso; crear, iniciar, pausar, reanudar, cancelar</translation>
    </message>
    <message>
        <source>Templates and &amp;Replies…</source>
        <translation>&amp;Plantillas y respuestas…</translation>
    </message>
    <message>
        <source>Message templates, quick replies and auto-reply rules</source>
        <translation>Plantillas de mensaje, respuestas rápidas y reglas de respuesta automática</translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <source>Media storage: %1</source>
        <translation>Almacenamiento de medios: %1</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation>Almacenamiento de medios: %1 de %2 (%3 %)</translation>
    </message>
    <message>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation>Archivos almacenados para su organización (cada archivo contado una vez), de su cuota</translation>
    </message>
    <message>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation>Almacenamiento de medios: %1 de %2 (menos del %3 %)</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <source>Not sent</source>
        <translation>No enviado</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>No enviado: %1</translation>
    </message>
    <message>
        <source>%1 — not downloaded</source>
        <translation>%1 — no descargado</translation>
    </message>
    <message>
        <source>%1 — the file is no longer stored</source>
        <translation>%1 — el archivo ya no está almacenado</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 — downloading…</source>
        <translation>%1 — descargando…</translation>
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
        <translation>Enviado a %1 el %2: %3</translation>
    </message>
    <message>
        <source>From %1 at %2: %3</source>
        <translation>De %1 el %2: %3</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Enviando</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Recibido</translation>
    </message>
    <message>
        <source>Sent by you at %1, %2: %3</source>
        <translation>Enviado por usted el %1, %2: %3</translation>
    </message>
    <message>
        <source>Received at %1: %2</source>
        <translation>Recibido el %1: %2</translation>
    </message>
    <message>
        <source> (failed: %1)</source>
        <translation> (falló: %1)</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Imagen</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Vídeo</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Tarjeta de contacto</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
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
        <translation> (el archivo no se descargó)</translation>
    </message>
    <message>
        <source> (the file is no longer stored)</source>
        <translation> (el archivo ya no está almacenado)</translation>
    </message>
    <message>
        <source>Deleted message</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <source> (the file is being downloaded)</source>
        <translation> (el archivo se está descargando)</translation>
    </message>
    <message>
        <source> (the file was not downloaded: %1)</source>
        <translation> (el archivo no se descargó: %1)</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Ayer</translation>
    </message>
    <message>
        <source>dddd, d MMMM</source>
        <translation>dddd, d &apos;de&apos; MMMM</translation>
    </message>
    <message>
        <source>d MMMM yyyy</source>
        <translation>d &apos;de&apos; MMMM &apos;de&apos; yyyy</translation>
    </message>
</context>
<context>
    <name>wadesk::OneTimeSecretDialog</name>
    <message>
        <source>The key, shown this once</source>
        <translation>La clave, mostrada esta única vez</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Copiar</translation>
    </message>
    <message>
        <source>Copy the key to the clipboard</source>
        <translation>Copiar la clave al portapapeles</translation>
    </message>
    <message>
        <source>It cannot be shown again once this window is closed.</source>
        <translation>No se puede volver a mostrar una vez cerrada esta ventana.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copiado al portapapeles.</translation>
    </message>
</context>
<context>
    <name>wadesk::PairingCodeDialog</name>
    <message>
        <source>Link %1 with a phone number</source>
        <translation>Vincular %1 con un número de teléfono</translation>
    </message>
    <message>
        <source>Type the number of the phone to link, with its country code. WhatsApp gives a code to type on that phone instead of scanning the QR code.</source>
        <translation>Escriba el número del teléfono que quiere vincular, con su prefijo de país. WhatsApp da un código que se escribe en ese teléfono en lugar de escanear el código QR.</translation>
    </message>
    <message>
        <source>+14155550123</source>
        <translation>+34612345678</translation>
    </message>
    <message>
        <source>Phone number to link</source>
        <translation>Número de teléfono que se vinculará</translation>
    </message>
    <message>
        <source>&amp;Phone number:</source>
        <translation>Número de &amp;teléfono:</translation>
    </message>
    <message>
        <source>&amp;Get code</source>
        <translation>&amp;Obtener código</translation>
    </message>
    <message>
        <source>Pairing code error</source>
        <translation>Error del código de vinculación</translation>
    </message>
    <message>
        <source>&amp;Copy code</source>
        <translation>&amp;Copiar código</translation>
    </message>
    <message>
        <source>On that phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type this code. WhatsApp may also show a notification to open.</source>
        <translation>En ese teléfono abra WhatsApp → Ajustes → Dispositivos vinculados → Vincular un dispositivo → Vincular con el número de teléfono, y escriba este código. WhatsApp también puede mostrar una notificación para abrir.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
    <message>
        <source>Asking WhatsApp…</source>
        <translation>Preguntando a WhatsApp…</translation>
    </message>
    <message>
        <source>&amp;Get a new code</source>
        <translation>Obtener un código &amp;nuevo</translation>
    </message>
    <message>
        <source>Pairing code %1</source>
        <translation>Código de vinculación %1</translation>
    </message>
</context>
<context>
    <name>wadesk::PinInstanceDialog</name>
    <message>
        <source>Run on instance</source>
        <translation>Ejecutar en instancia</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instancia</translation>
    </message>
    <message>
        <source>Any instance (not pinned)</source>
        <translation>Cualquier instancia (sin fijar)</translation>
    </message>
    <message>
        <source>this desktop</source>
        <translation>este escritorio</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>sin conexión</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>vaciándose</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (unknown)</source>
        <translation>%1 (desconocida)</translation>
    </message>
    <message>
        <source>Client:</source>
        <translation>Cliente:</translation>
    </message>
    <message>
        <source>&amp;Instance:</source>
        <translation>&amp;Instancia:</translation>
    </message>
    <message>
        <source>A pinned client runs on its instance while that one is alive. A client running elsewhere is handed over: it stops there and starts on its instance.</source>
        <translation>Un cliente fijado se ejecuta en su instancia mientras esta está activa. Un cliente que se ejecuta en otra se traspasa: se detiene allí y se inicia en su instancia.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Run on this instance</source>
        <translation>Ejecutar en esta instancia</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Los proxies no están disponibles: WaDesk se ejecuta sin su almacén de secretos.</translation>
    </message>
    <message>
        <source>Proxies</source>
        <translation>Proxies</translation>
    </message>
    <message>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation>Cada cliente puede llegar a WhatsApp desde su propia dirección a través de un proxy de este conjunto. Un cliente conserva su proxy; si el proxy no funciona, el cliente espera en lugar de conectarse directamente.</translation>
    </message>
    <message>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation>Todavía no hay proxies. Añada uno para dar a cada número su propia dirección.</translation>
    </message>
    <message>
        <source>&amp;Add Proxy…</source>
        <translation>&amp;Añadir proxy…</translation>
    </message>
    <message>
        <source>Add proxy</source>
        <translation>Añadir proxy</translation>
    </message>
    <message>
        <source>Add a proxy to the pool</source>
        <translation>Añadir un proxy al conjunto</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Editar…</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Editar proxy</translation>
    </message>
    <message>
        <source>Change the selected proxy</source>
        <translation>Cambiar el proxy seleccionado</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <source>Delete proxy</source>
        <translation>Eliminar proxy</translation>
    </message>
    <message>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation>Quitar el proxy seleccionado del conjunto (solo si ningún cliente lo usa)</translation>
    </message>
    <message>
        <source>A&amp;ssign to Client…</source>
        <translation>A&amp;signar a un cliente…</translation>
    </message>
    <message>
        <source>Assign proxy to a client</source>
        <translation>Asignar el proxy a un cliente</translation>
    </message>
    <message>
        <source>Choose the proxy a client uses</source>
        <translation>Elegir el proxy que usa un cliente</translation>
    </message>
    <message>
        <source>&amp;Test Now</source>
        <translation>&amp;Probar ahora</translation>
    </message>
    <message>
        <source>Test proxy now</source>
        <translation>Probar el proxy ahora</translation>
    </message>
    <message>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation>Esta versión no permite comprobar un proxy a petición; el estado mostrado procede de las comprobaciones periódicas.</translation>
    </message>
    <message>
        <source>Proxies error</source>
        <translation>Error de proxies</translation>
    </message>
    <message>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation>Los administradores añaden, cambian y eliminan proxies; usted puede asignarlos a clientes.</translation>
    </message>
    <message>
        <source>Added the proxy %1.</source>
        <translation>Proxy %1 añadido.</translation>
    </message>
    <message>
        <source>Saved the proxy %1.</source>
        <translation>Proxy %1 guardado.</translation>
    </message>
    <message>
        <source>Delete the proxy %1 (%2)?</source>
        <translation>¿Eliminar el proxy %1 (%2)?</translation>
    </message>
    <message numerus="yes">
        <source>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</source>
        <translation>
            <numerusform>Está asignado a %n cliente: un proxy en uso no se puede eliminar. Asigne antes a ese cliente otro proxy (o ninguno).</numerusform>
            <numerusform>Está asignado a %n clientes: un proxy en uso no se puede eliminar. Asigne antes a esos clientes otro proxy (o ninguno).</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleted the proxy %1.</source>
        <translation>Proxy %1 eliminado.</translation>
    </message>
    <message>
        <source>The client now uses the proxy %1.</source>
        <translation>El cliente usa ahora el proxy %1.</translation>
    </message>
    <message>
        <source>The client now connects without a proxy.</source>
        <translation>El cliente se conecta ahora sin proxy.</translation>
    </message>
    <message>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation>Comprobar ahora el proxy seleccionado: conectar a través de él y medir el tiempo</translation>
    </message>
    <message>
        <source>%1 is reachable (%2 ms).</source>
        <translation>%1 está accesible (%2 ms).</translation>
    </message>
    <message>
        <source>%1 is unreachable: %2</source>
        <translation>%1 no está accesible: %2</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Comprobando %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <source>Add proxy</source>
        <translation>Añadir proxy</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ninguno</translation>
    </message>
    <message>
        <source>Edit proxy</source>
        <translation>Editar proxy</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <source>Save proxy</source>
        <translation>Guardar proxy</translation>
    </message>
    <message>
        <source>leave empty to keep</source>
        <translation>dejar vacío para conservarla</translation>
    </message>
    <message>
        <source>Proxy type</source>
        <translation>Tipo de proxy</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation>proxy.example.com o 203.0.113.7</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Usuario</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Remo&amp;ve the stored password</source>
        <translation>&amp;Quitar la contraseña guardada</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>Quitar la contraseña guardada</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <source>host:port when empty</source>
        <translation>host:puerto si se deja vacía</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>País</translation>
    </message>
    <message>
        <source>DE, US, … (optional)</source>
        <translation>ES, MX, … (opcional)</translation>
    </message>
    <message>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation>El código de país de dos letras de la salida del proxy. El navegador de un cliente toma de él la zona horaria y los idiomas cuando su identidad no los fija.</translation>
    </message>
    <message>
        <source>Most clients</source>
        <translation>Máximo de clientes</translation>
    </message>
    <message>
        <source>How many clients may use this proxy at most</source>
        <translation>Cuántos clientes pueden usar este proxy como máximo</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Tipo:</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Usuario:</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>Contra&amp;seña:</translation>
    </message>
    <message>
        <source>&amp;Label:</source>
        <translation>&amp;Etiqueta:</translation>
    </message>
    <message>
        <source>&amp;Country:</source>
        <translation>Pa&amp;ís:</translation>
    </message>
    <message>
        <source>&amp;Most clients:</source>
        <translation>&amp;Máximo de clientes:</translation>
    </message>
    <message>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation>Cada cliente conserva su proxy; WaDesk nunca rota direcciones. La contraseña se guarda cifrada y no se vuelve a mostrar.</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <source>Healthy (%1 ms)</source>
        <translation>Operativo (%1 ms)</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Operativo</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>Inalcanzable</translation>
    </message>
    <message>
        <source>Unreachable: %1</source>
        <translation>Inalcanzable: %1</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>Aún sin comprobar</translation>
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
        <translation>Nunca</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>%1
since %2</source>
        <translation>%1
desde %2</translation>
    </message>
    <message>
        <source>%1
Exit address: %2</source>
        <translation>%1
Dirección de salida: %2</translation>
    </message>
    <message>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation>%1, %2 %3, %4 clientes, %5</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Country</source>
        <translation>País</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>Clientes</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation>Última comprobación</translation>
    </message>
    <message>
        <source>Your role may not see the proxies.</source>
        <translation>Su rol no puede ver los proxies.</translation>
    </message>
    <message>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Los proxies no están disponibles: WaDesk se ejecuta sin su almacén de secretos.</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyCompleter</name>
    <message>
        <source>Quick replies</source>
        <translation>Respuestas rápidas</translation>
    </message>
</context>
<context>
    <name>wadesk::QuickReplyEditDialog</name>
    <message>
        <source>Edit Quick Reply</source>
        <translation>Editar respuesta rápida</translation>
    </message>
    <message>
        <source>New Quick Reply</source>
        <translation>Nueva respuesta rápida</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Atajo</translation>
    </message>
    <message>
        <source>greeting</source>
        <translation>saludo</translation>
    </message>
    <message>
        <source>1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it</source>
        <translation>De 1 a 32 letras, dígitos, _ o -; escriba / y el atajo en el cuadro de mensaje para expandirla</translation>
    </message>
    <message>
        <source>&amp;Shortcut: /</source>
        <translation>&amp;Atajo: /</translation>
    </message>
    <message>
        <source>Quick reply text</source>
        <translation>Texto de la respuesta rápida</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Texto:</translation>
    </message>
    <message>
        <source>Quick reply error</source>
        <translation>Error de la respuesta rápida</translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <source>Sending limits</source>
        <translation>Límites de envío</translation>
    </message>
    <message>
        <source>Limits unavailable: %1</source>
        <translation>Límites no disponibles: %1</translation>
    </message>
    <message>
        <source>%1: %2/%3</source>
        <translation>%1: %2/%3</translation>
    </message>
    <message>
        <source>%1 used %2 of %3</source>
        <translation>%1: %2 de %3 usados</translation>
    </message>
    <message>
        <source>Minute</source>
        <translation>Minuto</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message numerus="yes">
        <source>Queue: %n</source>
        <translation>
            <numerusform>Cola: %n</numerusform>
            <numerusform>Cola: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>(last leaves about %1)</source>
        <translation>(la última sale hacia las %1)</translation>
    </message>
    <message>
        <source>Sending paused</source>
        <translation>Envío en pausa</translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <source>Rename client</source>
        <translation>Cambiar nombre del cliente</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>Nombre nuevo</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>&amp;Rename</source>
        <translation>&amp;Cambiar nombre</translation>
    </message>
</context>
<context>
    <name>wadesk::ReportTableModel</name>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Recibido</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Número</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Respuestas</translation>
    </message>
    <message>
        <source>Avg. response</source>
        <translation>Respuesta media</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Miembro</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Correo</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
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
        <translation>Ningún cliente seleccionado</translation>
    </message>
    <message>
        <source>Session state: %1</source>
        <translation>Estado de la sesión: %1</translation>
    </message>
    <message>
        <source>Waiting for an operator to link this number.</source>
        <translation>Esperando a que un operador vincule este número.</translation>
    </message>
    <message>
        <source>Linked to %1</source>
        <translation>Vinculado a %1</translation>
    </message>
    <message>
        <source>Select a client on the left.</source>
        <translation>Seleccione un cliente a la izquierda.</translation>
    </message>
    <message>
        <source>This client is waiting to be linked by an operator.</source>
        <translation>Este cliente espera a que un operador lo vincule.</translation>
    </message>
    <message>
        <source>The session of this client is starting.</source>
        <translation>La sesión de este cliente se está iniciando.</translation>
    </message>
    <message>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation>La sesión falló: %1
Vuelva a iniciarla desde el menú Cliente.</translation>
    </message>
    <message>
        <source>The session of this client is not running.</source>
        <translation>La sesión de este cliente no está en ejecución.</translation>
    </message>
    <message>
        <source>WhatsApp Web of %1</source>
        <translation>WhatsApp Web de %1</translation>
    </message>
    <message>
        <source>Proxy: unknown</source>
        <translation>Proxy: desconocido</translation>
    </message>
    <message>
        <source>No proxy</source>
        <translation>Sin proxy</translation>
    </message>
    <message>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation>Este cliente se conecta a WhatsApp directamente. Asígnele un proxy en la pantalla de proxies.</translation>
    </message>
    <message>
        <source>Proxy: %1 · %2</source>
        <translation>Proxy: %1 · %2</translation>
    </message>
    <message>
        <source>%1 proxy at %2</source>
        <translation>Proxy %1 en %2</translation>
    </message>
    <message>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation>Puede pasar a otro proxy operativo cuando este no funcione.</translation>
    </message>
    <message>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR code, or link it with its phone number instead.</source>
        <translation>En el teléfono abra WhatsApp → Ajustes → Dispositivos vinculados → Vincular un dispositivo, y escanee el código QR, o vincúlelo con su número de teléfono.</translation>
    </message>
    <message>
        <source>The code expired: click &quot;New code&quot;.</source>
        <translation>El código caducó: haga clic en «Código nuevo».</translation>
    </message>
    <message>
        <source>(this replaces %1, the number this client had before)</source>
        <translation>(sustituye a %1, el número que este cliente tenía antes)</translation>
    </message>
    <message>
        <source>&amp;Add Your First Client…</source>
        <translation>&amp;Añadir su primer cliente…</translation>
    </message>
    <message>
        <source>&amp;Start Session</source>
        <translation>&amp;Iniciar sesión de WhatsApp</translation>
    </message>
    <message>
        <source>No clients yet. A client is one WhatsApp number: add one, then link it by scanning its QR code.</source>
        <translation>Aún no hay clientes. Un cliente es un número de WhatsApp: añada uno y luego vincúlelo escaneando su código QR.</translation>
    </message>
    <message>
        <source>No clients are assigned to you yet. Ask an admin or a manager to assign one.</source>
        <translation>Aún no tiene clientes asignados. Pida a un administrador o a un gestor que le asigne uno.</translation>
    </message>
    <message>
        <source>The session of this client is not running. Start it to link or use the number.</source>
        <translation>La sesión de este cliente no está en ejecución. Iníciela para vincular o usar el número.</translation>
    </message>
    <message>
        <source>This session runs on %1 (%2). Its page is shown there; what you do here from the Client menu is sent to it.</source>
        <translation>Esta sesión se ejecuta en %1 (%2). Su página se muestra allí; lo que haga aquí desde el menú Cliente se le envía.</translation>
    </message>
</context>
<context>
    <name>wadesk::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Secciones de la configuración</translation>
    </message>
    <message>
        <source>&amp;Organization</source>
        <translation>&amp;Organización</translation>
    </message>
    <message>
        <source>&amp;Client Limits</source>
        <translation>&amp;Límites de clientes</translation>
    </message>
    <message>
        <source>&amp;Installation</source>
        <translation>&amp;Instalación</translation>
    </message>
    <message>
        <source>Settings error</source>
        <translation>Error de configuración</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Organization name</source>
        <translation>Nombre de la organización</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Zona horaria</translation>
    </message>
    <message>
        <source>The zone in which the dashboard and the analytics cut days. Type to search.</source>
        <translation>La zona en la que el panel y los análisis cortan los días. Escriba para buscar.</translation>
    </message>
    <message>
        <source>&amp;Time zone:</source>
        <translation>&amp;Zona horaria:</translation>
    </message>
    <message>
        <source>&amp;Save Organization</source>
        <translation>&amp;Guardar organización</translation>
    </message>
    <message>
        <source>Save organization settings</source>
        <translation>Guardar la configuración de la organización</translation>
    </message>
    <message>
        <source>Only admins change the organization&apos;s settings.</source>
        <translation>Solo los administradores cambian la configuración de la organización.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time zone; pick one from the list, such as Europe/Paris</source>
        <translation>«%1» no es una zona horaria; elija una de la lista, como Europe/Madrid</translation>
    </message>
    <message>
        <source>Organization settings saved.</source>
        <translation>Configuración de la organización guardada.</translation>
    </message>
    <message>
        <source>A client&apos;s own send limits. &quot;Installation default&quot; uses the limits on the Installation tab.</source>
        <translation>Los límites de envío propios de un cliente. «Predeterminado de la instalación» usa los límites de la pestaña Instalación.</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>C&amp;lient:</source>
        <translation>C&amp;liente:</translation>
    </message>
    <message>
        <source>Client messages per minute</source>
        <translation>Mensajes del cliente por minuto</translation>
    </message>
    <message>
        <source>Client messages per hour</source>
        <translation>Mensajes del cliente por hora</translation>
    </message>
    <message>
        <source>Client messages per day</source>
        <translation>Mensajes del cliente por día</translation>
    </message>
    <message>
        <source>Installation default</source>
        <translation>Predeterminado de la instalación</translation>
    </message>
    <message>
        <source>Per &amp;minute:</source>
        <translation>Por &amp;minuto:</translation>
    </message>
    <message>
        <source>Per &amp;hour:</source>
        <translation>Por &amp;hora:</translation>
    </message>
    <message>
        <source>Per &amp;day:</source>
        <translation>Por &amp;día:</translation>
    </message>
    <message>
        <source>Save &amp;Limits</source>
        <translation>Guardar &amp;límites</translation>
    </message>
    <message>
        <source>Save the client&apos;s limits</source>
        <translation>Guardar los límites del cliente</translation>
    </message>
    <message>
        <source>No clients yet</source>
        <translation>Aún no hay clientes</translation>
    </message>
    <message>
        <source>Pick a client first.</source>
        <translation>Elija primero un cliente.</translation>
    </message>
    <message>
        <source>Limits of %1 saved; they apply to its next message.</source>
        <translation>Límites de %1 guardados; se aplican a partir de su próximo mensaje.</translation>
    </message>
    <message>
        <source>These settings are kept in the settings file (%1) and apply when WaDesk starts next. Environment variables and command-line options take precedence over them.</source>
        <translation>Esta configuración se guarda en el archivo de configuración (%1) y se aplica la próxima vez que se inicie WaDesk. Las variables de entorno y las opciones de la línea de órdenes tienen prioridad sobre ella.</translation>
    </message>
    <message>
        <source>none in this run</source>
        <translation>ninguno en esta ejecución</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Envío</translation>
    </message>
    <message>
        <source>Default messages per minute</source>
        <translation>Mensajes por minuto predeterminados</translation>
    </message>
    <message>
        <source>Default messages per hour</source>
        <translation>Mensajes por hora predeterminados</translation>
    </message>
    <message>
        <source>Default messages per day</source>
        <translation>Mensajes por día predeterminados</translation>
    </message>
    <message>
        <source>Per minute:</source>
        <translation>Por minuto:</translation>
    </message>
    <message>
        <source>Per hour:</source>
        <translation>Por hora:</translation>
    </message>
    <message>
        <source>Per day:</source>
        <translation>Por día:</translation>
    </message>
    <message>
        <source>&amp;Pace like a person (typing time and pauses between messages)</source>
        <translation>Ritmo &amp;humano (tiempo de escritura y pausas entre mensajes)</translation>
    </message>
    <message>
        <source>Human pacing</source>
        <translation>Ritmo humano</translation>
    </message>
    <message>
        <source>Opt-out keywords</source>
        <translation>Palabras clave de baja</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender out.</source>
        <translation>Separadas por comas. Un mensaje que sea exactamente una de ellas da de baja a su remitente.</translation>
    </message>
    <message>
        <source>Opt-&amp;out keywords:</source>
        <translation>Palabras clave de &amp;baja:</translation>
    </message>
    <message>
        <source>Opt-in keywords</source>
        <translation>Palabras clave de alta</translation>
    </message>
    <message>
        <source>Separated by commas. A message that is exactly one of them opts its sender back in.</source>
        <translation>Separadas por comas. Un mensaje que sea exactamente una de ellas vuelve a dar de alta a su remitente.</translation>
    </message>
    <message>
        <source>Opt-i&amp;n keywords:</source>
        <translation>Palabras clave de a&amp;lta:</translation>
    </message>
    <message>
        <source>Data retention</source>
        <translation>Conservación de datos</translation>
    </message>
    <message>
        <source>Days to keep messages</source>
        <translation>Días que se conservan los mensajes</translation>
    </message>
    <message>
        <source>Days to keep files</source>
        <translation>Días que se conservan los archivos</translation>
    </message>
    <message>
        <source>Days to keep events</source>
        <translation>Días que se conservan los eventos</translation>
    </message>
    <message>
        <source>Days to keep webhook deliveries</source>
        <translation>Días que se conservan las entregas de webhooks</translation>
    </message>
    <message>
        <source>Days to keep dead letters</source>
        <translation>Días que se conservan los mensajes fallidos</translation>
    </message>
    <message>
        <source>&amp;Messages:</source>
        <translation>&amp;Mensajes:</translation>
    </message>
    <message>
        <source>&amp;Files:</source>
        <translation>&amp;Archivos:</translation>
    </message>
    <message>
        <source>&amp;Events:</source>
        <translation>&amp;Eventos:</translation>
    </message>
    <message>
        <source>&amp;Webhook deliveries:</source>
        <translation>Entregas de &amp;webhooks:</translation>
    </message>
    <message>
        <source>Dead &amp;letters:</source>
        <translation>Mensajes &amp;fallidos:</translation>
    </message>
    <message>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <source>API address</source>
        <translation>Dirección de la API</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Dirección:</translation>
    </message>
    <message>
        <source>API port</source>
        <translation>Puerto de la API</translation>
    </message>
    <message>
        <source>Any free port</source>
        <translation>Cualquier puerto libre</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>P&amp;uerto:</translation>
    </message>
    <message>
        <source>Allow &amp;remote access (an address other than this computer&apos;s)</source>
        <translation>Permitir el acceso &amp;remoto (una dirección distinta de la de este equipo)</translation>
    </message>
    <message>
        <source>Allow remote API access</source>
        <translation>Permitir el acceso remoto a la API</translation>
    </message>
    <message>
        <source>WaDesk must be restarted for a new address or port to apply. Now: %1</source>
        <translation>WaDesk debe reiniciarse para que se aplique una dirección o un puerto nuevos. Ahora: %1</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>Idi&amp;oma:</translation>
    </message>
    <message>
        <source>Save Installation Settings</source>
        <translation>Guardar la configuración de la instalación</translation>
    </message>
    <message>
        <source>Save installation settings</source>
        <translation>Guardar la configuración de la instalación</translation>
    </message>
    <message>
        <source>Saved. Restart WaDesk to apply the installation settings.</source>
        <translation>Guardado. Reinicie WaDesk para aplicar la configuración de la instalación.</translation>
    </message>
    <message>
        <source>No&amp;tifications</source>
        <translation>No&amp;tificaciones</translation>
    </message>
    <message>
        <source>Show a desktop &amp;notification when a message arrives while WaDesk is not in front</source>
        <translation>Mostrar una &amp;notificación de escritorio cuando llegue un mensaje mientras WaDesk no esté en primer plano</translation>
    </message>
    <message>
        <source>Desktop notifications for new messages</source>
        <translation>Notificaciones de escritorio para mensajes nuevos</translation>
    </message>
    <message>
        <source>Notifications need the tray; this run has none.</source>
        <translation>Las notificaciones necesitan la bandeja del sistema; esta ejecución no tiene ninguna.</translation>
    </message>
    <message>
        <source>Only messages to clients you may see are notified. The same switch is in the tray menu.</source>
        <translation>Solo se notifican los mensajes a clientes que usted puede ver. El mismo interruptor está en el menú de la bandeja.</translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <source>Sign in to %1</source>
        <translation>Iniciar sesión en %1</translation>
    </message>
    <message>
        <source>Sign in with your WaDesk account.</source>
        <translation>Inicie sesión con su cuenta de WaDesk.</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>Error de inicio de sesión</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Iniciar sesión</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>Quit WaDesk</source>
        <translation>Salir de WaDesk</translation>
    </message>
    <message>
        <source>Enter your email address.</source>
        <translation>Introduzca su dirección de correo electrónico.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Introduzca su contraseña.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts, try again in %n s</source>
        <translation>
            <numerusform>Demasiados intentos, vuelva a intentarlo en %n s</numerusform>
            <numerusform>Demasiados intentos, vuelva a intentarlo en %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>Signing in failed: %1</source>
        <translation>Error al iniciar sesión: %1</translation>
    </message>
    <message>
        <source>Invalid email or password</source>
        <translation>Correo electrónico o contraseña no válidos</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Su rol no puede administrar el equipo.</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Equipo</translation>
    </message>
    <message>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation>Los miembros de su organización. Los administradores gestionan a todos; los gestores gestionan a agentes y observadores. Los agentes y observadores solo ven los clientes que tienen asignados.</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>Miembros del equipo</translation>
    </message>
    <message>
        <source>&amp;Add Member…</source>
        <translation>&amp;Añadir miembro…</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>Añadir miembro</translation>
    </message>
    <message>
        <source>Create an account for a new team member</source>
        <translation>Crear una cuenta para un nuevo miembro del equipo</translation>
    </message>
    <message>
        <source>New role for the selected member</source>
        <translation>Nuevo rol para el miembro seleccionado</translation>
    </message>
    <message>
        <source>R&amp;ole:</source>
        <translation>R&amp;ol:</translation>
    </message>
    <message>
        <source>&amp;Change Role</source>
        <translation>&amp;Cambiar rol</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>Cambiar rol</translation>
    </message>
    <message>
        <source>Give the selected member the role chosen above</source>
        <translation>Asignar al miembro seleccionado el rol elegido arriba</translation>
    </message>
    <message>
        <source>&amp;Deactivate</source>
        <translation>&amp;Desactivar</translation>
    </message>
    <message>
        <source>Deactivate member</source>
        <translation>Desactivar miembro</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Eliminar miembro</translation>
    </message>
    <message>
        <source>Delete the selected member&apos;s account</source>
        <translation>Eliminar la cuenta del miembro seleccionado</translation>
    </message>
    <message>
        <source>Assigned c&amp;lients</source>
        <translation>C&amp;lientes asignados</translation>
    </message>
    <message>
        <source>Assigned clients</source>
        <translation>Clientes asignados</translation>
    </message>
    <message>
        <source>Tick the clients this member may see</source>
        <translation>Marque los clientes que este miembro puede ver</translation>
    </message>
    <message>
        <source>Team error</source>
        <translation>Error del equipo</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Ac&amp;tivate</source>
        <translation>Ac&amp;tivar</translation>
    </message>
    <message>
        <source>Activate member</source>
        <translation>Activar miembro</translation>
    </message>
    <message>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation>Impedir que el miembro seleccionado inicie sesión (reversible)</translation>
    </message>
    <message>
        <source>Let the selected member sign in again</source>
        <translation>Permitir que el miembro seleccionado vuelva a iniciar sesión</translation>
    </message>
    <message>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation>Este es usted: no puede cambiar su propio rol ni desactivarse o eliminarse a sí mismo.</translation>
    </message>
    <message>
        <source>Managers can only manage agents and viewers.</source>
        <translation>Los gestores solo pueden gestionar agentes y observadores.</translation>
    </message>
    <message>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation>Seleccione un agente u observador para elegir los clientes que ve.</translation>
    </message>
    <message>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation>%1 es administrador: los administradores ven todos los clientes de la organización.</translation>
    </message>
    <message>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation>%1 es gestor: los gestores ven todos los clientes de la organización.</translation>
    </message>
    <message>
        <source>The assignments could not be read.</source>
        <translation>No se pudieron leer las asignaciones.</translation>
    </message>
    <message>
        <source>The clients could not be read.</source>
        <translation>No se pudieron leer los clientes.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The organization has no clients yet.</source>
        <translation>La organización aún no tiene clientes.</translation>
    </message>
    <message numerus="yes">
        <source>The clients %1 sees (%2 of %n):</source>
        <translation>
            <numerusform>Los clientes que ve %1 (%2 de %n):</numerusform>
            <numerusform>Los clientes que ve %1 (%2 de %n):</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove team member</source>
        <translation>Eliminar miembro del equipo</translation>
    </message>
    <message>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation>¿Eliminar a %1 (%2) del equipo? Ya no podrá iniciar sesión.</translation>
    </message>
    <message>
        <source>The password could not be hashed.</source>
        <translation>No se pudo calcular el hash de la contraseña.</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <source>Admin</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Gestor</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation>Observador</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Activo</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (usted)</translation>
    </message>
    <message>
        <source>%1, %2, %3, %4</source>
        <translation>%1, %2, %3, %4</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Your role may not manage the team.</source>
        <translation>Su rol no puede administrar el equipo.</translation>
    </message>
</context>
<context>
    <name>wadesk::TemplateEditDialog</name>
    <message>
        <source>Edit Template</source>
        <translation>Editar plantilla</translation>
    </message>
    <message>
        <source>New Template</source>
        <translation>Nueva plantilla</translation>
    </message>
    <message>
        <source>Template name</source>
        <translation>Nombre de la plantilla</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>Template text</source>
        <translation>Texto de la plantilla</translation>
    </message>
    <message>
        <source>Hello {{name|there}}, your order for {{attributes.city}} is ready.</source>
        <translation>Hola, {{name|estimado/a}}: su pedido para {{attributes.city}} está listo.</translation>
    </message>
    <message>
        <source>&amp;Text:</source>
        <translation>&amp;Texto:</translation>
    </message>
    <message>
        <source>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}.</source>
        <translation>Variables: {{name}}, {{phone_number}}, {{attributes.key}}; un valor predeterminado tras una barra: {{name|estimado/a}}.</translation>
    </message>
    <message>
        <source>Preview for contact</source>
        <translation>Contacto para la vista previa</translation>
    </message>
    <message>
        <source>A sample number (no name, no attributes)</source>
        <translation>Un número de ejemplo (sin nombre ni atributos)</translation>
    </message>
    <message>
        <source>Preview &amp;for:</source>
        <translation>&amp;Vista previa para:</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>Vista previa:</translation>
    </message>
    <message>
        <source>Template error</source>
        <translation>Error de la plantilla</translation>
    </message>
    <message>
        <source>Cannot be previewed: %1</source>
        <translation>No se puede mostrar la vista previa: %1</translation>
    </message>
    <message>
        <source>%1

({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)</source>
        <translation>%1

({{%2}} no tiene valor para este contacto ni valor predeterminado: las campañas omiten a esos destinatarios.)</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhookListModel</name>
    <message>
        <source>Never</source>
        <translation>Nunca</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Todos los eventos</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>Activado</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>Disabled: %1</source>
        <translation>Desactivado: %1</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>%1, %2, %3, last success %4, last failure %5</source>
        <translation>%1, %2, %3, último éxito %4, último fallo %5</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventos</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Last success</source>
        <translation>Último éxito</translation>
    </message>
    <message>
        <source>Last failure</source>
        <translation>Último fallo</translation>
    </message>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Su rol no puede administrar webhooks.</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Los webhooks necesitan el almacén de secretos, que no está disponible.</translation>
    </message>
</context>
<context>
    <name>wadesk::WebhooksDialog</name>
    <message>
        <source>Your role may not manage webhooks.</source>
        <translation>Su rol no puede administrar webhooks.</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that keeps failing is disabled until you re-enable it.</source>
        <translation>WaDesk envía cada evento al que se suscribieron sus destinos como un HTTP POST firmado. Un destino que falla una y otra vez se desactiva hasta que usted lo vuelva a activar.</translation>
    </message>
    <message>
        <source>Webhook endpoints</source>
        <translation>Destinos de webhooks</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Añadir…</translation>
    </message>
    <message>
        <source>Add webhook</source>
        <translation>Añadir webhook</translation>
    </message>
    <message>
        <source>Register a new endpoint</source>
        <translation>Registrar un destino nuevo</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Probar</translation>
    </message>
    <message>
        <source>Send a test event</source>
        <translation>Enviar un evento de prueba</translation>
    </message>
    <message>
        <source>Send a signed test event to the selected endpoint now</source>
        <translation>Enviar ahora un evento de prueba firmado al destino seleccionado</translation>
    </message>
    <message>
        <source>Re-&amp;enable</source>
        <translation>Volver a a&amp;ctivar</translation>
    </message>
    <message>
        <source>Re-enable webhook</source>
        <translation>Volver a activar el webhook</translation>
    </message>
    <message>
        <source>Send events to the selected endpoint again</source>
        <translation>Volver a enviar eventos al destino seleccionado</translation>
    </message>
    <message>
        <source>R&amp;otate Secret…</source>
        <translation>&amp;Rotar secreto…</translation>
    </message>
    <message>
        <source>Rotate secret</source>
        <translation>Rotar secreto</translation>
    </message>
    <message>
        <source>Make a new signing secret; the old one keeps signing for 24 hours</source>
        <translation>Crear un secreto de firma nuevo; el anterior sigue firmando durante 24 horas</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation>Eliminar webhook</translation>
    </message>
    <message>
        <source>Test result</source>
        <translation>Resultado de la prueba</translation>
    </message>
    <message>
        <source>Deliveries of the selected webhook</source>
        <translation>Entregas del webhook seleccionado</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>E&amp;stado:</translation>
    </message>
    <message>
        <source>Show deliveries with status</source>
        <translation>Mostrar entregas con el estado</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Todos</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>Re&amp;cargar</translation>
    </message>
    <message>
        <source>Reload deliveries</source>
        <translation>Recargar entregas</translation>
    </message>
    <message>
        <source>Re&amp;play</source>
        <translation>Re&amp;enviar</translation>
    </message>
    <message>
        <source>Replay delivery</source>
        <translation>Reenviar entrega</translation>
    </message>
    <message>
        <source>Send the selected delivery again, with a fresh set of attempts</source>
        <translation>Volver a enviar la entrega seleccionada, con una nueva serie de intentos</translation>
    </message>
    <message>
        <source>Delivery log</source>
        <translation>Registro de entregas</translation>
    </message>
    <message>
        <source>Payload of the selected delivery</source>
        <translation>Contenido de la entrega seleccionada</translation>
    </message>
    <message>
        <source>Select a delivery to see what was sent.</source>
        <translation>Seleccione una entrega para ver lo que se envió.</translation>
    </message>
    <message>
        <source>Webhooks error</source>
        <translation>Error de webhooks</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Response:</source>
        <translation>Respuesta:</translation>
    </message>
    <message>
        <source>Webhooks need the secret store, which is not available.</source>
        <translation>Los webhooks necesitan el almacén de secretos, que no está disponible.</translation>
    </message>
    <message>
        <source>This endpoint is disabled.</source>
        <translation>Este destino está desactivado.</translation>
    </message>
    <message>
        <source>This endpoint is disabled: %1</source>
        <translation>Este destino está desactivado: %1</translation>
    </message>
    <message>
        <source>No webhooks yet. Use Add… to register an endpoint.</source>
        <translation>Aún no hay webhooks. Use Añadir… para registrar un destino.</translation>
    </message>
    <message>
        <source>Enter the URL of the endpoint.</source>
        <translation>Introduzca la URL del destino.</translation>
    </message>
    <message>
        <source>Tick at least one event to send.</source>
        <translation>Marque al menos un evento que enviar.</translation>
    </message>
    <message>
        <source>The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your endpoint checks the webhook-signature header.</source>
        <translation>El webhook de %1 está registrado. Cada entrega se firma con este secreto; guárdelo donde su destino comprueba la cabecera webhook-signature.</translation>
    </message>
    <message>
        <source>The host %1 does not resolve yet: deliveries are retried while it does not.</source>
        <translation>El host %1 aún no se resuelve: las entregas se reintentan mientras no se resuelva.</translation>
    </message>
    <message>
        <source>Webhook Secret</source>
        <translation>Secreto del webhook</translation>
    </message>
    <message>
        <source>A test is already running.</source>
        <translation>Ya hay una prueba en curso.</translation>
    </message>
    <message>
        <source>The webhook secret cannot be opened.</source>
        <translation>No se puede abrir el secreto del webhook.</translation>
    </message>
    <message>
        <source>Sending a test event…</source>
        <translation>Enviando un evento de prueba…</translation>
    </message>
    <message>
        <source>HTTP %1 in %2 ms</source>
        <translation>HTTP %1 en %2 ms</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>Sin respuesta: %1</translation>
    </message>
    <message>
        <source>Delivered: %1</source>
        <translation>Entregado: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Falló: %1</translation>
    </message>
    <message>
        <source>New Webhook Secret</source>
        <translation>Nuevo secreto del webhook</translation>
    </message>
    <message>
        <source>The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can switch over.</source>
        <translation>El secreto nuevo de %1. El secreto anterior sigue firmando junto a él durante 24 horas, para que su destino pueda cambiar.</translation>
    </message>
    <message>
        <source>Make a new signing secret for %1? The current one stays valid for 24 hours.</source>
        <translation>¿Crear un secreto de firma nuevo para %1? El actual sigue siendo válido durante 24 horas.</translation>
    </message>
    <message>
        <source>Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.</source>
        <translation>¿Eliminar el webhook de %1? Sus entregas pendientes se descartan y no recibe más eventos.</translation>
    </message>
</context>
</TS>
