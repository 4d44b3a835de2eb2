/*
 * pages/catalog/importexport.js: the "Import / export" tab (#/catalog/
 * import).  Import: a CSV file in Shopify's product layout is read in the
 * browser, its header is shown with the columns mercato reads marked (the
 * others are ignored), and its first rows as a table; "Check (dry run)"
 * sends it to POST /imports?dry_run=true and shows the report and the
 * errors by CSV line, and "Import" (enabled after a dry run of that file)
 * sends it for real.  The server answers only at the end, so a running
 * request shows an indeterminate progress bar.  A body over 4 MiB is
 * refused here, before sending.  Export: GET /exports/products.csv with the
 * in-memory token, saved through a Blob and a temporary download link.
 */
import { html, useState, useRef, useEffect } from '../../vendor/preact-htm.js';
import { api, apiFile } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { plural } from '../../format.js';
import { CATALOG, STATUSES, useTitle } from './common.js';

/* The columns the server reads; every other column is ignored. */
export const KNOWN_COLUMNS = [
	'Handle', 'Title', 'Body (HTML)', 'Vendor', 'Type', 'Tags', 'Status',
	'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value',
	'Option3 Name', 'Option3 Value', 'Variant SKU', 'Variant Grams',
	'Variant Price', 'Variant Compare At Price', 'Variant Inventory Qty',
	'Image Src', 'Image Position', 'Image Alt Text',
];
export const BODY_MAX = 4 * 1024 * 1024;	/* the server's body limit */
const PREVIEW_ROWS = 5;

/*
 * Parses CSV text (RFC 4180: fields in double quotes may hold commas, line
 * breaks and "" for a quote; CRLF or LF; a leading BOM is dropped).  Keeps
 * the first `keep` records and counts them all; blank lines are skipped.
 * Returns { records, count, error } where error names an unclosed quote.
 */
export function parseCsv(text, keep = Infinity) {
	const s = String(text || '').replace(/^\uFEFF/, '');
	const records = [];
	let count = 0;
	let field = '';
	let record = [];
	let quoted = false;
	let line = 1;
	let quoteLine = 0;
	const endRecord = () => {
		record.push(field);
		field = '';
		if (!(record.length === 1 && record[0] === '')) {
			if (records.length < keep)
				records.push(record);
			count++;
		}
		record = [];
	};
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (quoted) {
			if (c === '"') {
				if (s[i + 1] === '"') {
					field += '"';
					i++;
				} else {
					quoted = false;
				}
			} else {
				if (c === '\n')
					line++;
				field += c;
			}
		} else if (c === '"') {
			quoted = true;
			quoteLine = line;
		} else if (c === ',') {
			record.push(field);
			field = '';
		} else if (c === '\n' || c === '\r') {
			if (c === '\r' && s[i + 1] === '\n')
				i++;
			line++;
			endRecord();
		} else {
			field += c;
		}
	}
	if (quoted)
		return { records, count, error: `A quote opened on line ${quoteLine} is never closed.` };
	if (field !== '' || record.length)
		endRecord();
	return { records, count, error: '' };
}

/* The UTF-8 size of a string, in bytes. */
function byteSize(text) {
	return new Blob([text]).size;
}

function mib(bytes) {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/* 512 -> "512 bytes", 2048 -> "2 KiB", 5242880 -> "5.0 MiB" */
function sizeText(bytes) {
	if (bytes < 1024)
		return plural(bytes, 'byte');
	if (bytes < 1024 * 1024)
		return `${Math.ceil(bytes / 1024)} KiB`;
	return mib(bytes);
}

/* Reads a File as text with FileReader. */
function readText(file) {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(String(reader.result || ''));
		reader.onerror = () => reject(reader.error || new Error('The file cannot be read.'));
		reader.readAsText(file);
	});
}

export function ImportExport() {
	useTitle('Import / export');
	return html`
		<div class="page-head">
			<h1>Import / export</h1>
		</div>
		<p class="lead">Products go in and out as CSV in Shopify's product layout: one row per
			variant, products matched by <code>Handle</code> and variants by <code>Variant SKU</code>.</p>
		<${Import} />
		<${Export} />`;
}

function Import() {
	const [file, setFile] = useState(null);	/* { name, size, text, parsed, body } */
	const [readError, setReadError] = useState('');
	const [busy, setBusy] = useState('');		/* '', 'check' or 'import' */
	const [result, setResult] = useState(null);	/* { dry, report } */
	const [failure, setFailure] = useState(null);	/* { message, errors } */
	const [checked, setChecked] = useState(false);
	const alive = useRef(true);
	useEffect(() => () => {
		alive.current = false;
	}, []);

	const choose = async (e) => {
		const f = e.currentTarget.files && e.currentTarget.files[0];
		setFile(null);
		setResult(null);
		setFailure(null);
		setChecked(false);
		setReadError('');
		if (!f)
			return;
		if (f.size > BODY_MAX) {
			setReadError(`${f.name} is ${mib(f.size)}: the limit here is 4 MiB. ` +
			    'Import a bigger file on the server with "mercato import products FILE.csv".');
			return;
		}
		try {
			const text = await readText(f);
			if (!alive.current)
				return;
			const body = JSON.stringify({ csv: text });
			setFile({ name: f.name, size: f.size, text, body,
			    tooBig: byteSize(body) > BODY_MAX, parsed: parseCsv(text, PREVIEW_ROWS + 1) });
		} catch (err) {
			if (alive.current)
				setReadError(`${f.name} cannot be read: ${err.message}`);
		}
	};

	const run = async (dry) => {
		if (!file || busy || file.tooBig)
			return;
		setBusy(dry ? 'check' : 'import');
		setFailure(null);
		setResult(null);
		try {
			const report = await api('POST', `${CATALOG}/imports?dry_run=${dry}`, { csv: file.text });
			if (!alive.current)
				return;
			setResult({ dry, report: report || {} });
			setChecked(dry);
		} catch (e) {
			if (!alive.current)
				return;
			const errors = e.status === 422 && e.problem && Array.isArray(e.problem.errors) ?
			    e.problem.errors : [];
			setFailure({ message: e.message, errors });
			setChecked(false);
		} finally {
			if (alive.current)
				setBusy('');
		}
	};

	const parsed = file && file.parsed;
	const rows = parsed ? Math.max(0, parsed.count - 1) : 0;
	return html`
		<${Section} title="Import" testid="import">
			<div class="field">
				<label for="import-file">CSV file</label>
				<input id="import-file" type="file" accept=".csv,text/csv" class="file-input"
					data-testid="import-file" disabled=${busy !== ''} onChange=${choose} />
				<p class="hint-text">Up to 4 MiB. The file is checked first; nothing is written
					until you press Import.</p>
			</div>
			<${Notice} kind="error" testid="import-read-error">${readError}<//>
			${file ? html`
				<p class="muted small" data-testid="import-file-info">${`${file.name}: ` +
				    `${plural(rows, 'data row')}, ${sizeText(file.size)}.`}</p>
				${file.tooBig ? html`<${Notice} kind="error" testid="import-too-big">This file is over
					the 4 MiB limit once sent. Import it on the server with
					"mercato import products FILE.csv", or split it.<//>` : null}
				${parsed.error ? html`<${Notice} kind="error" testid="import-parse-error">${`${parsed.error} The server will refuse it.`}<//>` : null}
				<${Preview} parsed=${parsed} />
				<div class="toolbar">
					<button class="btn" data-testid="import-check" disabled=${busy !== '' || file.tooBig}
						onClick=${() => run(true)}>Check (dry run)</button>
					<button class="btn btn-primary" data-testid="import-run"
						disabled=${busy !== '' || file.tooBig || !checked}
						title=${checked ? null : 'Run a check first'}
						onClick=${() => run(false)}>Import</button>
				</div>
				${busy ? html`
					<div class="progress-line" data-testid="import-progress">
						<progress aria-label=${busy === 'check' ? 'Checking' : 'Importing'}></progress>
						<span class="muted small">${`${busy === 'check' ? 'Checking' : 'Importing'} ` +
						    `${plural(rows, 'row')}…`}</span>
					</div>` : null}
				${failure ? html`<${Failure} failure=${failure} />` : null}
				${result ? html`<${Report} result=${result} />` : null}` : null}
		<//>`;
}

/* The header (known columns marked) and the first rows of the file. */
function Preview({ parsed }) {
	const [header, ...rows] = parsed.records;
	if (!header)
		return html`<${Empty}>The file is empty.<//>`;
	const known = header.map((h) => KNOWN_COLUMNS.includes(h.trim()));
	const ignored = header.filter((h, i) => !known[i]);
	return html`
		<div class="import-preview" data-testid="import-preview">
			<h3 class="subhead">Columns</h3>
			<ul class="column-list" data-testid="import-columns">
				${header.map((h, i) => html`
					<li key=${i} class=${known[i] ? 'col-known' : 'col-ignored'}
						data-testid="import-column" data-known=${known[i] ? 'true' : 'false'}
						title=${known[i] ? 'mercato reads this column' : 'mercato ignores this column'}>
						${known[i] ? '\u2713 ' : '\u2715 '}${h || '(empty)'}</li>`)}
			</ul>
			<p class="muted small" data-testid="import-columns-note">
				${plural(known.filter(Boolean).length, 'column')} read${ignored.length ?
				    `, ${plural(ignored.length, 'column')} ignored` : ''}.
				${header.some((h) => h.trim() === 'Handle') ?
				    '' : ' There is no Handle column: the server will refuse this file.'}</p>
			${rows.length ? html`
				<h3 class="subhead">First ${plural(rows.length, 'row')}</h3>
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="import-rows">
					<thead><tr>${header.map((h, i) => html`
						<th key=${i} class=${known[i] ? '' : 'col-ignored'}>${h}</th>`)}</tr></thead>
					<tbody>${rows.map((r, n) => html`
						<tr key=${n} data-testid="import-row">${header.map((h, i) => html`
							<td key=${i} class="clip">${r[i] ?? ''}</td>`)}</tr>`)}
					</tbody>
				</table>
				</div>` : html`<${Empty}>The file has a header but no rows.<//>`}
		</div>`;
}

/* A failed request: the message, and the lines of an unreadable file. */
function Failure({ failure }) {
	return html`
		<div data-testid="import-failure">
			<${Notice} kind="error" testid="import-error">${failure.message}<//>
			${failure.errors.length ? html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="import-failure-errors">
					<thead><tr><th class="num">Line</th><th>Problem</th></tr></thead>
					<tbody>${failure.errors.map((e, i) => html`
						<tr key=${i}><td class="num">${e.line ?? '—'}</td><td>${e.message}</td></tr>`)}
					</tbody>
				</table>
				</div>` : null}
		</div>`;
}

/* The server's report: totals, then one row per error. */
function Report({ result }) {
	const { dry, report } = result;
	const errors = Array.isArray(report.errors) ? report.errors : [];
	const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
	return html`
		<div data-testid="import-report" data-dry-run=${dry ? 'true' : 'false'}>
			<${Notice} kind=${errors.length ? 'info' : 'ok'} testid="import-summary">
				${dry ? 'Check done: nothing was written.' : 'Import done.'}
				${errors.length ? ` ${plural(errors.length, 'problem')} found; a product with a bad
				row is skipped whole.` : ''}
				${dry && !errors.length ? ' Press Import to write it.' : ''}<//>
			<dl class="report-figures">
				<div><dt>Rows</dt><dd data-testid="report-rows">${num(report.rows)}</dd></div>
				<div><dt>Products</dt><dd data-testid="report-products">${num(report.products)}</dd></div>
				<div><dt>${dry ? 'Would create' : 'Created'}</dt>
					<dd data-testid="report-created">${num(report.created)}</dd></div>
				<div><dt>${dry ? 'Would update' : 'Updated'}</dt>
					<dd data-testid="report-updated">${num(report.updated)}</dd></div>
			</dl>
			${errors.length ? html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="import-errors">
					<thead><tr><th class="num">Line</th><th>Handle</th><th>Field</th><th>Message</th></tr></thead>
					<tbody>${errors.map((e, i) => html`
						<tr key=${i} data-testid="import-error-row" data-line=${e.line}>
							<td class="num">${e.line ?? '—'}</td>
							<td><code>${e.handle || '—'}</code></td>
							<td>${e.field || '—'}</td>
							<td>${e.message}</td>
						</tr>`)}
					</tbody>
				</table>
				</div>` : null}
		</div>`;
}

function Export() {
	const [status, setStatus] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState('');
	const [done, setDone] = useState('');

	const download = async () => {
		setBusy(true);
		setError('');
		setDone('');
		try {
			const p = status ? `?${new URLSearchParams({ status })}` : '';
			const blob = await apiFile(`${CATALOG}/exports/products.csv${p}`);
			const url = URL.createObjectURL(blob);
			const a = document.createElement('a');
			a.href = url;
			a.download = 'products.csv';
			a.hidden = true;
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 60000);
			setDone(`products.csv saved (${blob.size.toLocaleString('en')} bytes).`);
		} catch (e) {
			setError(e.message);
		} finally {
			setBusy(false);
		}
	};

	return html`
		<${Section} title="Export" testid="export"
			intro="Every product (or those of one status) as a CSV in the same layout, ready to edit and import again.">
			<div class="toolbar">
				<label class="inline-label">Status
					<select value=${status} data-testid="export-status"
						onChange=${(e) => setStatus(e.currentTarget.value)}>
						<option value="">all</option>
						${STATUSES.map((s) => html`<option key=${s} value=${s}>${s}</option>`)}
					</select>
				</label>
				<button class="btn btn-primary" data-testid="export-download" disabled=${busy}
					onClick=${download}>Download CSV</button>
				${busy ? html`<span class="muted small" aria-live="polite">Preparing…</span>` : null}
			</div>
			<${Notice} kind="error" testid="export-error">${error}<//>
			<${Notice} kind="ok" testid="export-done">${done}<//>
		<//>`;
}
