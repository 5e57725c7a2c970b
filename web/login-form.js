// Sign in with the SIP user name and password.
import { Component } from '/web/vendor/preact.js';
import { signIn } from './api.js';
import { html } from './html.js';

export class LoginForm extends Component {
  state = { user: '', password: '', error: '', busy: false };

  submit = async (e) => {
    e.preventDefault();
    this.setState({ busy: true, error: '' });
    try {
      const s = await signIn(this.state.user.trim(), this.state.password);
      this.props.onSignedIn(s);
    } catch (err) {
      this.setState({ busy: false, error: err.message, password: '' });
    }
  };

  render(_props, { user, password, error, busy }) {
    return html`
      <main class="login">
        <h1>Voicemail</h1>
        <form onSubmit=${this.submit}>
          <label for="user">User name</label>
          <input
            id="user"
            name="user"
            autocomplete="username"
            autocapitalize="none"
            required
            value=${user}
            onInput=${(e) => this.setState({ user: e.currentTarget.value })}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value=${password}
            onInput=${(e) => this.setState({ password: e.currentTarget.value })}
          />
          ${error && html`<p class="error" role="alert">${error}</p>`}
          <button type="submit" disabled=${busy}>Sign in</button>
        </form>
      </main>
    `;
  }
}
