// The inbox: the lamp, the messages (kept live by /web/events), the greeting.
import { Component } from '/web/vendor/preact.js';
import { formatCaller, formatLamp } from './format.js';
import { GreetingUpload } from './greeting-upload.js';
import { PinChange } from './pin-change.js';
import { html } from './html.js';
import { MessageItem } from './message-item.js';

export class Inbox extends Component {
  state = { messages: undefined, lamp: undefined, error: '' };

  componentDidMount() {
    this.events = new EventSource('/web/events');
    this.events.addEventListener('lamp', (e) => {
      this.setState({ lamp: JSON.parse(e.data) });
      void this.reload();
    });
    // A closed stream that will not reconnect: the session ended (signed out elsewhere, expired).
    this.events.onerror = () => {
      if (this.events.readyState === EventSource.CLOSED) this.props.onSignedOut();
    };
  }

  componentWillUnmount() {
    this.events.close();
  }

  async reload() {
    // Lamp events can start reloads that overlap: only the latest one's answer is shown.
    const seq = (this.seq = (this.seq ?? 0) + 1);
    try {
      const messages = await this.props.mailbox.list();
      if (seq === this.seq) this.setState({ messages, error: '' });
    } catch (err) {
      if (err.status === 401) this.props.onSignedOut();
      else this.setState({ error: err.message });
    }
  }

  async run(action) {
    try {
      await action();
      await this.reload();
    } catch (err) {
      if (err.status === 401) this.props.onSignedOut();
      else this.setState({ error: err.message });
    }
  }

  toggleRead = (m) => this.run(() => this.props.mailbox.setRead(m.id, !m.read));

  remove = (m) => {
    if (!window.confirm(`Delete the message from ${formatCaller(m)}?`)) return;
    void this.run(() => this.props.mailbox.remove(m.id));
  };

  signOut = async () => {
    try {
      await this.props.mailbox.signOut();
    } finally {
      this.props.onSignedOut();
    }
  };

  render({ mailbox }, { messages, lamp, error }) {
    const on = lamp && lamp.new > 0;
    return html`
      <header class="top">
        <h1>Voicemail for ${mailbox.user}</h1>
        <button type="button" class="sign-out" onClick=${this.signOut}>Sign out</button>
      </header>
      <main>
        <p id="lamp" class=${on ? 'lamp on' : 'lamp off'} role="status" aria-live="polite">
          <span class="dot" aria-hidden="true"></span>
          <span class="lamp-text">${lamp ? formatLamp(lamp) : 'Connecting...'}</span>
        </p>
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <section aria-labelledby="messages-title">
          <h2 id="messages-title">Messages</h2>
          ${
            messages === undefined
              ? html`<p class="status">Loading...</p>`
              : messages.length === 0
                ? html`<p class="status empty">No messages.</p>`
                : html`<ul class="messages">
                    ${messages.map(
                      (m) =>
                        html`<${MessageItem}
                          key=${m.id}
                          message=${m}
                          onToggleRead=${this.toggleRead}
                          onDelete=${this.remove}
                        />`,
                    )}
                  </ul>`
          }
        </section>
        <${GreetingUpload} mailbox=${mailbox} />
        <${PinChange} mailbox=${mailbox} />
      </main>
    `;
  }
}
