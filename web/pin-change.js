// Change the phone menu's PIN (PUT /api/v1/mailboxes/NAME/pin), typed twice as the menu asks.
import { Component } from '/web/vendor/preact.js';
import { html } from './html.js';

export class PinChange extends Component {
  state = { status: '', error: false, busy: false };

  submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const pin = form.elements.namedItem('new-pin').value;
    const again = form.elements.namedItem('new-pin-again').value;
    if (!/^\d{4,12}$/.test(pin)) {
      this.setState({ status: 'The PIN is 4 to 12 digits.', error: true });
      return;
    }
    if (pin !== again) {
      this.setState({ status: 'The two PINs differ.', error: true });
      return;
    }
    this.setState({ busy: true, status: 'Saving...', error: false });
    try {
      await this.props.mailbox.setPin(pin);
      form.reset();
      this.setState({ busy: false, status: 'PIN changed.', error: false });
    } catch (err) {
      this.setState({ busy: false, status: `Not changed: ${err.message}`, error: true });
    }
  };

  render(_props, { status, error, busy }) {
    return html`
      <section class="pin" aria-labelledby="pin-title">
        <h2 id="pin-title">Phone PIN</h2>
        <form onSubmit=${this.submit}>
          <label for="new-pin">New PIN</label>
          <input id="new-pin" name="new-pin" type="password" inputmode="numeric" autocomplete="new-password" />
          <label for="new-pin-again">New PIN again</label>
          <input id="new-pin-again" name="new-pin-again" type="password" inputmode="numeric" autocomplete="new-password" />
          <button type="submit" disabled=${busy}>Change PIN</button>
          <p class=${error ? 'error' : 'status'} role="status">${status}</p>
        </form>
      </section>
    `;
  }
}
