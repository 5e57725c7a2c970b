// One voice message: who, when, how long, urgent; play, download, mark, delete.
import { html } from './html.js';
import { formatCaller, formatDuration, formatTime } from './format.js';

export function MessageItem({ message: m, onToggleRead, onDelete }) {
  const caller = formatCaller(m);
  const titleId = `msg-${m.id}-title`;
  return html`
    <li class=${m.read ? 'message' : 'message unread'} data-id=${m.id} aria-labelledby=${titleId}>
      <div class="caller" id=${titleId}>
        ${!m.read && html`<span class="visually-hidden">New message from </span>`}${caller}
        ${m.urgent && html` <span class="urgent">Urgent</span>`}
      </div>
      <div class="meta">
        <time datetime=${m.receivedAt}>${formatTime(m.receivedAt)}</time>
        <span> · ${formatDuration(m.durationMs)}</span>
      </div>
      <audio controls preload="none" src=${m.audioUrl} aria-label=${`Message from ${caller}`}></audio>
      <div class="actions">
        <a href=${m.audioUrl} download=${`voicemail-${m.id}.wav`}>Download</a>
        <button type="button" class="toggle-read" onClick=${() => onToggleRead(m)}>
          ${m.read ? 'Mark unread' : 'Mark read'}
        </button>
        <button type="button" class="delete" onClick=${() => onDelete(m)}>Delete</button>
      </div>
    </li>
  `;
}
