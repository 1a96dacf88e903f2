/**
 * The agent's workspace state: presence, open conversations and the inbox, in signals fed by the
 * WebSocket. A push updates the screen at once (the assignment carries the conversation, the
 * notice carries the notice) and asks for one coalesced re-read; each (re)connect re-reads once.
 * Conversations closed on the platform side and presence set by a supervisor are not pushed, so
 * both are also re-read every 30 s while the tab is visible.
 */
import { computed, signal } from "@preact/signals";
import { api, ApiError, consoleConfig } from "../api/client.js";
import type { Conversation, InboxNotice, LiveMessage, NoticeView, Presence } from "../api/types.js";
import { currentToken, type Session } from "../auth/session.js";
import { connectLive } from "../live/socket.js";
import { refresher } from "../live/refresher.js";
import { chime } from "../ui/sound.js";

export type AgentWorkspaceState = ReturnType<typeof createAgentWorkspace>;

const describe = (error: unknown) => (error instanceof ApiError ? error.describe() : String(error));

export function createAgentWorkspace(session: Session) {
  const agentId = session.userId;
  const presence = signal<Presence | null>(null);
  const conversations = signal<Conversation[]>([]);
  const notices = signal<InboxNotice[]>([]);
  const failure = signal<string | null>(null);
  /** Urgent notices already chimed for: a re-read after a reconnect does not chime again. */
  const alerted = new Set<string>();

  const unacknowledged = computed(() => notices.value.filter((n) => !n.acknowledged));
  /** The urgent notice the modal holds until it is acknowledged (oldest first). */
  const urgentOpen = computed(() => unacknowledged.value.filter((n) => n.urgency === "urgent").at(-1) ?? null);

  const alertNew = (list: readonly InboxNotice[]) => {
    let fresh = false;
    for (const n of list) {
      if (n.urgency !== "urgent" || n.acknowledged || alerted.has(n.noticeId)) continue;
      alerted.add(n.noticeId);
      fresh = true;
    }
    if (fresh) chime();
  };

  const onError = (error: unknown) => (failure.value = describe(error));
  const conversationsReader = refresher(
    async () => {
      conversations.value = (await api.conversationsOf(agentId)).conversations;
    },
    { everyMs: 30_000, onError },
  );
  const inboxReader = refresher(
    async () => {
      const inbox = await api.inbox();
      notices.value = inbox.notices;
      alertNew(inbox.notices);
    },
    { everyMs: 60_000, onError },
  );
  const presenceReader = refresher(
    async () => {
      presence.value = (await api.agent(agentId)).presence;
    },
    // A supervisor may pause the agent: not pushed yet, so re-read with the conversations.
    { everyMs: 30_000, onError },
  );

  const upsertNotice = (notice: NoticeView, reminder: boolean) => {
    const known = notices.value.find((n) => n.noticeId === notice.noticeId);
    if (known?.acknowledged) return;
    if (!known) notices.value = [{ ...notice, deliveredAt: new Date().toISOString(), acknowledged: false, acknowledgedAt: null }, ...notices.value];
    // A reminder is the server saying "still not acknowledged": it may chime again.
    if (reminder) alerted.delete(notice.noticeId);
    alertNew(notices.value);
  };

  const onMessage = (message: LiveMessage) => {
    if (message.type === "assignment") {
      const others = conversations.value.filter((c) => c.conversationId !== message.conversation.conversationId);
      conversations.value = [...others, message.conversation];
      conversationsReader.request();
    } else if (message.type === "notice") {
      upsertNotice(message.notice, message.reminder === true);
      inboxReader.request();
    }
  };

  const live = connectLive({
    url: consoleConfig().wsUrl,
    token: () => currentToken() ?? session.token,
    onMessage,
    onOpen: () => {
      conversationsReader.request();
      inboxReader.request();
      presenceReader.request();
    },
  });

  async function act(run: () => Promise<void>) {
    failure.value = null;
    try {
      await run();
    } catch (error) {
      onError(error);
    }
  }

  return {
    agentId,
    presence,
    conversations,
    notices,
    unacknowledged,
    urgentOpen,
    failure,
    live: live.status,
    setPresence: (status: Presence) =>
      act(async () => {
        presence.value = (await api.setPresence(agentId, status)).presence;
      }),
    acknowledge: (noticeId: string) =>
      act(async () => {
        const ack = await api.acknowledge(noticeId);
        notices.value = notices.value.map((n) => (n.noticeId === noticeId ? { ...n, acknowledged: true, acknowledgedAt: ack.acknowledgedAt } : n));
      }),
    markReplied: (conversationId: string) =>
      act(async () => {
        const updated = await api.firstResponse(conversationId);
        conversations.value = conversations.value.map((c) => (c.conversationId === conversationId ? updated : c));
      }),
    close: (conversationId: string) =>
      act(async () => {
        await api.close(conversationId);
        conversations.value = conversations.value.filter((c) => c.conversationId !== conversationId);
      }),
    dispose() {
      live.close();
      conversationsReader.stop();
      inboxReader.stop();
      presenceReader.stop();
    },
  };
}
