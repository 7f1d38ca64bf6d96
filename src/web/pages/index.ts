// The dashboard: the studies of the database the server reads.
const list = document.getElementById('studies');
if (list) list.textContent = 'No studies to show yet.';
