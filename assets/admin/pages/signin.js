/*
 * pages/signin.js: the sign-in form shown whenever nobody is signed in.
 * It sends email and password through api.signIn(), which also checks that
 * the account is staff or admin; any failure (wrong password, rate limit,
 * customer account, server down) is shown as the text the server or api.js
 * gave.  A notice from the session (e.g. "session has ended") shows on top.
 */
import { html, useState, useRef, useEffect } from '../vendor/preact-htm.js';
import { signIn } from '../api.js';
import { Notice } from '../ui.js';

export function SignIn({ notice }) {
	const [email, setEmail] = useState('');
	const [password, setPassword] = useState('');
	const [error, setError] = useState('');
	const [busy, setBusy] = useState(false);
	const emailRef = useRef(null);

	useEffect(() => {
		document.title = 'Sign in · mercato admin';
		if (emailRef.current)
			emailRef.current.focus();
	}, []);

	async function submit(ev) {
		ev.preventDefault();
		if (busy)
			return;
		setBusy(true);
		setError('');
		try {
			await signIn(email.trim(), password);
			/* The session listener swaps this page for the shell. */
		} catch (e) {
			setError(e.message);
			setPassword('');
			setBusy(false);
		}
	}

	return html`
		<main class="signin">
			<form class="signin-card" onSubmit=${submit} data-testid="signin-form" novalidate>
				<div class="brand brand-large">mercato <span class="brand-tag">admin</span></div>
				<h1>Sign in</h1>
				<${Notice} kind="info" testid="signin-notice">${!error && notice}<//>
				<label for="signin-email">Email</label>
				<input id="signin-email" type="email" autocomplete="username" required
					ref=${emailRef} value=${email} data-testid="signin-email"
					onInput=${(e) => setEmail(e.currentTarget.value)} />
				<label for="signin-password">Password</label>
				<input id="signin-password" type="password" autocomplete="current-password" required
					value=${password} data-testid="signin-password"
					onInput=${(e) => setPassword(e.currentTarget.value)} />
				<${Notice} kind="error" testid="signin-error">${error}<//>
				<button type="submit" class="btn btn-primary btn-block" disabled=${busy}
					data-testid="signin-submit">${busy ? 'Signing in…' : 'Sign in'}</button>
				<p class="muted small">For shop staff and administrators.</p>
			</form>
		</main>`;
}
