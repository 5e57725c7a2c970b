// Replace a greeting with a WAV file (PUT /api/v1/mailboxes/NAME/greetings/KIND).
import { Component } from '/web/vendor/preact.js';
import { html } from './html.js';

const KINDS = [
  ['unavailable', 'Unavailable'],
  ['busy', 'Busy'],
  ['temporary', 'Temporary'],
  ['name', 'Your name'],
];

export class GreetingUpload extends Component {
  state = { kind: 'unavailable', status: '', error: false, busy: false };

  submit = async (e) => {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem('greeting-file');
    const file = input.files && input.files[0];
    if (!file) {
      this.setState({ status: 'Choose a WAV file first.', error: true });
      return;
    }
    this.setState({ busy: true, status: 'Uploading...', error: false });
    try {
      await this.props.mailbox.putGreeting(this.state.kind, file);
      input.value = '';
      this.setState({ busy: false, status: 'Greeting saved.', error: false });
    } catch (err) {
      this.setState({ busy: false, status: `Not saved: ${err.message}`, error: true });
    }
  };

  render(_props, { kind, status, error, busy }) {
    return html`
      <section class="greeting" aria-labelledby="greeting-title">
        <h2 id="greeting-title">Greeting</h2>
        <form onSubmit=${this.submit}>
          <label for="greeting-kind">Which greeting</label>
          <select id="greeting-kind" value=${kind} onChange=${(e) => this.setState({ kind: e.currentTarget.value })}>
            ${KINDS.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
          </select>
          <label for="greeting-file">WAV file</label>
          <input id="greeting-file" name="greeting-file" type="file" accept=".wav,audio/wav,audio/x-wav" />
          <button type="submit" disabled=${busy}>Upload greeting</button>
          <p class=${error ? 'error' : 'status'} role="status">${status}</p>
        </form>
      </section>
    `;
  }
}
