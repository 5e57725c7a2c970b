// The web inbox (issue 10 section 2): preact + htm served as ES modules, no
// build step. Signed out: the sign-in form; signed in: the inbox.
import { Component, render } from '/web/vendor/preact.js';
import { Mailbox, currentSession } from './api.js';
import { html } from './html.js';
import { Inbox } from './inbox.js';
import { LoginForm } from './login-form.js';

class App extends Component {
  state = { phase: 'loading', mailbox: undefined };

  async componentDidMount() {
    try {
      const s = await currentSession();
      this.setState(s ? { phase: 'inbox', mailbox: new Mailbox(s) } : { phase: 'login' });
    } catch {
      this.setState({ phase: 'login' });
    }
  }

  render(_props, { phase, mailbox }) {
    if (phase === 'loading') return html`<p class="status">Loading...</p>`;
    if (phase === 'login') {
      return html`<${LoginForm} onSignedIn=${(s) => this.setState({ phase: 'inbox', mailbox: new Mailbox(s) })} />`;
    }
    return html`<${Inbox}
      mailbox=${mailbox}
      onSignedOut=${() => this.setState({ phase: 'login', mailbox: undefined })}
    />`;
  }
}

render(html`<${App} />`, document.getElementById('app'));
