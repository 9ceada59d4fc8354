// Keeps the 50 most recent errors caught in the dashboard tab, or forwarded
// by the other flows through the "errors-in-dashboard" link, newest first.
const e = msg.error || {};
const src = e.source || {};
const list = flow.get('recentErrors') || [];
list.unshift({
    at: Date.now(),
    source: src.name || src.type || src.id || 'unknown',
    type: src.type || '',
    message: String(e.message || msg.payload || 'error').slice(0, 300),
});
list.length = Math.min(list.length, 50);
flow.set('recentErrors', list);
return { topic: 'errors', payload: list };
