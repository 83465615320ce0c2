/**
 * Stylesheet `dashboard.css`. Its text colours meet the WCAG 2.1 AA contrast ratios against
 * their backgrounds (4.5:1, or 3:1 for large text), which the browser test measures.
 */
export const DASHBOARD_STYLES = String.raw`
:root {
  --text: #1b1f24;
  --muted: #4a5260;
  --page: #f4f5f7;
  --panel: #ffffff;
  --line: #c9ced6;
  --accent: #0b57d0;
  --accent-dark: #083f9a;
  --danger: #a3160f;
  --danger-bg: #fdecea;
  --focus: #0b57d0;
  font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
  line-height: 1.5;
  color: var(--text);
  background: var(--page);
}

* { box-sizing: border-box; }
body { margin: 0; }
main { display: grid; gap: 1.25rem; max-width: 76rem; margin: 0 auto; padding: 0 1.25rem 2.5rem; }
h1, h2 { line-height: 1.2; margin: 0 0 0.75rem; }
h1 { font-size: 1.75rem; }
h2 { font-size: 1.2rem; }
p { margin: 0.25rem 0; }
code { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; }

.page-header { max-width: 76rem; margin: 0 auto; padding: 1.5rem 1.25rem 1.25rem; }
.lead { color: var(--muted); margin-bottom: 1rem; }

.counters {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
  gap: 0.75rem;
  margin: 0;
}
.counter {
  background: var(--panel);
  border: 1px solid var(--line);
  border-top: 0.35rem solid var(--status-line, var(--line));
  border-radius: 0.5rem;
  padding: 0.6rem 0.9rem;
}
.counter dt { color: var(--muted); font-size: 0.9rem; }
.counter dd { margin: 0; font-size: 1.8rem; font-weight: 700; font-variant-numeric: tabular-nums; }

[data-status='pending'] { --status-line: #b88a00; --status-text: #5c4300; --status-bg: #fff3c4; }
[data-status='processing'] { --status-line: #2f6fde; --status-text: #0a3a8c; --status-bg: #e2ecff; }
[data-status='completed'] { --status-line: #1f8a3b; --status-text: #0e4d20; --status-bg: #dcf3e2; }
[data-status='failed'] { --status-line: #c7291f; --status-text: #8a1710; --status-bg: #fde3e1; }

.panel {
  background: var(--panel);
  border: 1px solid var(--line);
  border-radius: 0.5rem;
  padding: 1.1rem 1.25rem 1.25rem;
}

.field { margin-bottom: 0.9rem; }
.field label, .toolbar label { display: block; font-weight: 600; margin-bottom: 0.2rem; }
.inline { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
input, select {
  font: inherit;
  color: var(--text);
  background: #ffffff;
  border: 1px solid #6b7380;
  border-radius: 0.35rem;
  padding: 0.4rem 0.6rem;
}
#upload-form input { width: 100%; max-width: 40rem; }
#api-key { width: 22rem; max-width: 100%; }
input[aria-invalid='true'] { border: 2px solid var(--danger); }
.hint, .muted { color: var(--muted); font-size: 0.9rem; }
.muted { display: block; }

button {
  font: inherit;
  font-weight: 600;
  color: #ffffff;
  background: var(--accent);
  border: 1px solid var(--accent);
  border-radius: 0.35rem;
  padding: 0.4rem 0.95rem;
  cursor: pointer;
}
button:hover { background: var(--accent-dark); }
button.secondary { color: var(--accent-dark); background: #ffffff; }
button[aria-disabled='true'] { opacity: 0.75; cursor: progress; }

a { color: var(--accent-dark); font-weight: 600; }

:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }

.field-error { color: var(--danger); font-weight: 600; }
.field-error:empty, .alert:empty, .result:empty { display: none; }
.alert {
  color: var(--danger);
  background: var(--danger-bg);
  border-left: 0.3rem solid var(--danger);
  padding: 0.5rem 0.75rem;
  margin: 0.5rem 0;
}
.result { color: #0e4d20; font-weight: 600; }

.toolbar { display: flex; flex-wrap: wrap; align-items: end; gap: 0.5rem 1rem; margin-bottom: 0.75rem; }
.toolbar label { margin: 0; }
.toolbar .hint { margin-left: auto; }

.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); }
thead th { color: var(--muted); font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.03em; }
tbody th { font-weight: 400; }
.object-name { font-weight: 600; overflow-wrap: anywhere; }
td[data-cell='error'] { max-width: 22rem; overflow-wrap: anywhere; }
td[data-cell='attempts'], td[data-cell='size'], td[data-cell='age'] { font-variant-numeric: tabular-nums; white-space: nowrap; }

.badge {
  display: inline-block;
  color: var(--status-text);
  background: var(--status-bg);
  border: 1px solid var(--status-line);
  border-radius: 1rem;
  padding: 0 0.6rem;
  font-weight: 600;
  font-size: 0.85rem;
}

.skip-link { position: absolute; left: 1rem; top: -3rem; background: #ffffff; padding: 0.4rem 0.8rem; }
.skip-link:focus { top: 0.5rem; }

.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}

@media (prefers-reduced-motion: no-preference) {
  button { transition: background-color 0.15s; }
}
`;

/** Icon `favicon.svg`, so the browser finds an icon without a request to /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#0b57d0"/>
<path d="M9 17l5 5 9-11" fill="none" stroke="#fff" stroke-width="3.5"/>
</svg>
`;
