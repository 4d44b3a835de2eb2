/*
 * pages/catalog/importexport.js: the "Import / export" tab (#/catalog/
 * import).  Import: a CSV file in Shopify's product layout is read in the
 * browser, its header is shown with the columns mercato reads marked (the
 * others are ignored), and its first rows as a table; "Check (dry run)"
 * sends it to POST /imports?dry_run=true and shows the report and the
 * errors by CSV line, and "Import" (enabled after a dry run of that file)
 * queues it as a background job (202) and follows GET /imports/{id}: a
 * progress bar of rows done of total with the errors so far, then the
 * summary and every error.  A body over 4 MiB is refused here, before
 * sending.  Below, the recent imports (GET /imports), the CLI's included.
 * Export: GET /exports/products.csv with the in-memory token, saved
 * through a Blob and a temporary download link (downloadCsv, which the
 * products list uses with its own filter).
 */
import { html, useState, useRef, useEffect } from '../../vendor/preact-htm.js';
import { api, apiFile } from '../../api.js';
import { Section, Notice, Empty } from '../../ui.js';
import { formatTime, plural } from '../../format.js';
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
const POLL_MS = 300;		/* following a running import */
const RECENT = 10;
const RECENT_POLL_MS = 2000;	/* the list, while an import runs */

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/*
 * Downloads GET /exports/products.csv with params (status, q, category;
 * empty ones left out) as products.csv.  Resolves the file's size.
 */
export async function downloadCsv(params = {}) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v)
			p.set(k, v);
	const q = p.toString();
	const blob = await apiFile(`${CATALOG}/exports/products.csv${q ? `?${q}` : ''}`);
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = 'products.csv';
	a.hidden = true;
	document.body.appendChild(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
	return blob.size;
}

/* A finished job as the dry run's report shape. */
function jobReport(job) {
	const sum = job.summary || {};
	return { rows: sum.rows ?? job.rows_total, products: sum.products ?? job.products_total,
		created: sum.created ?? job.created, updated: sum.updated ?? job.updated,
		errors: Array.isArray(job.errors) ? job.errors : [], errorsCount: job.errors_count };
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
	const [job, setJob] = useState(null);		/* the import being followed */
	const [result, setResult] = useState(null);	/* { dry, report } */
	const [failure, setFailure] = useState(null);	/* { message, errors } */
	const [checked, setChecked] = useState(false);
	const [recentKey, setRecentKey] = useState(0);
	const alive = useRef(true);
	useEffect(() => () => {
		alive.current = false;
	}, []);

	const choose = async (e) => {
		const f = e.currentTarget.files && e.currentTarget.files[0];
		setFile(null);
		setResult(null);
		setFailure(null);
		setJob(null);
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
			const body = JSON.stringify({ csv: text, filename: f.name });
			setFile({ name: f.name, size: f.size, text, body,
			    tooBig: byteSize(body) > BODY_MAX, parsed: parseCsv(text, PREVIEW_ROWS + 1) });
		} catch (err) {
			if (alive.current)
				setReadError(`${f.name} cannot be read: ${err.message}`);
		}
	};

	/* Polls the job until it is done or failed; resolves the last state. */
	const follow = async (first) => {
		let j = first;
		while (alive.current && (j.state === 'queued' || j.state === 'running')) {
			await sleep(POLL_MS);
			j = await api('GET', `${CATALOG}/imports/${encodeURIComponent(first.id)}`);
			if (alive.current)
				setJob(j);
		}
		return j;
	};

	const run = async (dry) => {
		if (!file || busy || file.tooBig)
			return;
		setBusy(dry ? 'check' : 'import');
		setFailure(null);
		setResult(null);
		setJob(null);
		try {
			if (dry) {
				const report = await api('POST', `${CATALOG}/imports?dry_run=true`, { csv: file.text });
				if (!alive.current)
					return;
				setResult({ dry, report: report || {} });
				setChecked(true);
				return;
			}
			const queued = await api('POST', `${CATALOG}/imports`, { csv: file.text, filename: file.name });
			if (!alive.current)
				return;
			setJob(queued);
			setRecentKey((k) => k + 1);
			const done = await follow(queued);
			if (!alive.current)
				return;
			setChecked(false);
			setRecentKey((k) => k + 1);
			if (done.state === 'failed')
				setFailure({ message: `The import failed: ${done.failure || 'no reason given'}.`, errors: [] });
			else
				setResult({ dry: false, report: jobReport(done) });
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
					until you press Import. The import runs on the server: you may leave this page
					and find it under Recent imports.</p>
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
				${busy === 'check' ? html`
					<div class="progress-line" data-testid="import-checking">
						<progress aria-label="Checking"></progress>
						<span class="muted small">${`Checking ${plural(rows, 'row')}…`}</span>
					</div>` : null}
				${busy === 'import' && job ? html`<${Progress} job=${job} />` : null}
				${failure ? html`<${Failure} failure=${failure} />` : null}
				${result ? html`<${Report} result=${result} />` : null}` : null}
		<//>
		<${RecentImports} refresh=${recentKey} />`;
}

/* A running job: rows done of total, errors so far and what they are. */
function Progress({ job }) {
	const total = Number(job.rows_total) || 0;
	const done = Number(job.rows_done) || 0;
	const errors = Array.isArray(job.errors) ? job.errors : [];
	const n = Number(job.errors_count) || 0;
	return html`
		<div data-testid="import-progress" data-state=${job.state} data-done=${done} data-total=${total}>
			<div class="progress-line">
				<progress aria-label="Importing" max=${Math.max(total, 1)} value=${done}></progress>
				<span class="small" data-testid="import-progress-text">${job.state === 'queued' ?
				    'Waiting for the server to start…' :
				    `${done.toLocaleString('en')} of ${total.toLocaleString('en')} ` +
				    `${total === 1 ? 'row' : 'rows'}, ` +
				    `${plural(n, 'error')} so far`}</span>
			</div>
			${errors.length ? html`<${ErrorTable} errors=${errors} testid="import-errors-so-far" />` : null}
		</div>`;
}

/*
 * The most recent imports (the CLI's too), newest first; read again every
 * few seconds while one of them is queued or running.
 */
function RecentImports({ refresh }) {
	const [jobs, setJobs] = useState(null);
	const [error, setError] = useState('');
	const [tick, setTick] = useState(0);
	useEffect(() => {
		let live = true;
		let timer = 0;
		api('GET', `${CATALOG}/imports?limit=${RECENT}`).then((r) => {
			if (!live)
				return;
			const data = Array.isArray(r && r.data) ? r.data : [];
			setJobs(data);
			setError('');
			if (data.some((j) => j.state === 'queued' || j.state === 'running'))
				timer = setTimeout(() => setTick((t) => t + 1), RECENT_POLL_MS);
		}).catch((e) => {
			if (live)
				setError(e.message);
		});
		return () => {
			live = false;
			clearTimeout(timer);
		};
	}, [refresh, tick]);
	return html`
		<${Section} title="Recent imports" testid="import-recent">
			<${Notice} kind="error" testid="import-recent-error">${error}<//>
			${jobs === null ? html`<p class="muted">Loading…</p>` : jobs.length === 0 ?
			    html`<${Empty}>No import yet.<//>` : html`
				<div class="table-wrap">
				<table class="grid grid-compact" data-testid="import-jobs">
					<thead><tr><th>Started</th><th>File</th><th>By</th><th>State</th>
						<th class="num">Rows</th><th class="num">Created</th><th class="num">Updated</th>
						<th class="num">Errors</th></tr></thead>
					<tbody>${jobs.map((j) => html`
						<tr key=${j.id} data-testid="import-job-row" data-id=${j.id} data-state=${j.state}>
							<td class="nowrap" title=${j.created_at}>${formatTime(j.created_at)}</td>
							<td>${j.filename || html`<span class="muted">—</span>`}</td>
							<td>${j.created_by === 'cli' ? 'command line' : 'admin'}</td>
							<td title=${j.failure || ''}>${j.state}</td>
							<td class="num">${`${j.rows_done} / ${j.rows_total}`}</td>
							<td class="num">${j.created}</td>
							<td class="num">${j.updated}</td>
							<td class=${`num ${j.errors_count ? 'warn' : ''}`}>${j.errors_count}</td>
						</tr>`)}
					</tbody>
				</table>
				</div>`}
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
	const count = Number.isFinite(Number(report.errorsCount)) ? Number(report.errorsCount) : errors.length;
	const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
	return html`
		<div data-testid="import-report" data-dry-run=${dry ? 'true' : 'false'}>
			<${Notice} kind=${count ? 'info' : 'ok'} testid="import-summary">
				${dry ? 'Check done: nothing was written.' : 'Import done.'}
				${count ? ` ${plural(count, 'problem')} found; a product with a bad
				row is skipped whole.` : ''}
				${count > errors.length ? ` The first ${errors.length} are listed.` : ''}
				${dry && !count ? ' Press Import to write it.' : ''}<//>
			<dl class="report-figures">
				<div><dt>Rows</dt><dd data-testid="report-rows">${num(report.rows)}</dd></div>
				<div><dt>Products</dt><dd data-testid="report-products">${num(report.products)}</dd></div>
				<div><dt>${dry ? 'Would create' : 'Created'}</dt>
					<dd data-testid="report-created">${num(report.created)}</dd></div>
				<div><dt>${dry ? 'Would update' : 'Updated'}</dt>
					<dd data-testid="report-updated">${num(report.updated)}</dd></div>
			</dl>
			${errors.length ? html`<${ErrorTable} errors=${errors} testid="import-errors" />` : null}
		</div>`;
}

/* Row errors: line, handle, field, message. */
function ErrorTable({ errors, testid }) {
	return html`
		<div class="table-wrap">
		<table class="grid grid-compact" data-testid=${testid}>
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
			const size = await downloadCsv({ status });
			setDone(`products.csv saved (${size.toLocaleString('en')} bytes).`);
		} catch (e) {
			setError(e.message);
		} finally {
			setBusy(false);
		}
	};

	return html`
		<${Section} title="Export" testid="export"
			intro="Every product (or those of one status) as a CSV in the same layout, ready to edit and import again. The products list exports what it shows: its Export CSV button keeps its search and status filter.">
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
