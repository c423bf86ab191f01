// Renders the tenant's audit log from /api/audit. Every value goes in as text (textContent), never
// as HTML: audit events carry what users typed, and this page must not run any of it.
const form = document.getElementById('filter');
const body = document.querySelector('#events tbody');
const more = document.getElementById('more');
let cursor = null;

function filterQuery() {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (typeof value === 'string' && value.trim()) query.set(name, value.trim());
  return query;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
}

function render(events) {
  for (const { event, sequence } of events) {
    const row = document.createElement('tr');
    cell(row, event.occurredAt.replace('T', ' ').replace('Z', ''));
    cell(row, event.action);
    cell(row, event.outcome);
    cell(row, event.actor.displayName ?? event.actor.email ?? event.actor.operator ?? event.actor.userId ?? event.actor.type);
    cell(row, [event.device?.ip, event.device?.userAgent].filter(Boolean).join(' · '));
    cell(row, event.target ? `${event.target.type} ${event.target.id ?? ''}` : '');
    cell(row, event.reason);
    cell(row, String(sequence));
    body.append(row);
  }
}

async function load(reset) {
  const query = filterQuery();
  if (!reset && cursor) query.set('cursor', cursor);
  const response = await fetch(`/api/audit/events?${query}`, { credentials: 'same-origin' });
  if (reset) body.replaceChildren();
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const row = document.createElement('tr');
    cell(row, problem.detail ?? `Fout ${response.status}`);
    body.append(row);
    more.hidden = true;
    return;
  }
  const page = await response.json();
  render(page.events);
  cursor = page.nextCursor;
  more.hidden = !cursor;
  for (const format of ['csv', 'jsonl']) {
    const exportQuery = filterQuery();
    exportQuery.set('format', format);
    document.getElementById(`export-${format}`).href = `/api/audit/export?${exportQuery}`;
  }
}

async function showChain() {
  const response = await fetch('/api/audit/verification', { credentials: 'same-origin' });
  if (!response.ok) return;
  const result = await response.json();
  const chain = document.getElementById('chain');
  chain.textContent = result.ok ? `Hashketen intact: ${result.lastSequence} gebeurtenissen.` : `Hashketen VERBROKEN bij #${result.sequence}: ${result.problem}`;
  chain.dataset.ok = String(result.ok);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  cursor = null;
  void load(true);
});
more.addEventListener('click', () => void load(false));
void load(true);
void showChain();
