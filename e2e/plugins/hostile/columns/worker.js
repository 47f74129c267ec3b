/* global wire -- defined by hostile/wire.js, which packaging puts before this script */
/* Reads a column it was handed, then columns it was not: the table's others and invented ones. */
(async () => {
  const info = await wire.call('session.info');
  const granted = info.result ? info.result.table.columns.map((column) => column.name) : [];
  const handed = await wire.call('data.read', { columns: granted.slice(0, 1) });
  const results = {
    granted,
    readGranted: handed.text,
    rowsGranted: handed.result ? handed.result.rows : null,
    readNotHanded: (await wire.call('data.read', { columns: ['secret_note'] })).text,
    readMixed: (await wire.call('data.read', { columns: [...granted, 'secret_note'] })).text,
    readInvented: (await wire.call('data.read', { columns: ['does_not_exist'] })).text,
    readByIndex: (await wire.call('data.read', { columns: ['0'] })).text,
  };
  await wire.report('columns not granted', results);
})();
