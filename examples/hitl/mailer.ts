import { defineAgent, scriptedModel, tool } from 'baton-runtime';
import { z } from 'zod';
import { lastToolOutput } from './scripted.js';

const sendEmail = tool({
  name: 'send_email',
  description: 'Sends an email',
  inputSchema: z.object({ to: z.string() }),
  needsApproval: true,
  execute: ({ to }) => ({ sent: to }),
});

/** Mails the address in the message once a person approved it (scripted, no API key). */
export default defineAgent({
  name: 'mailer',
  description: 'Sends one email, after approval (scripted model).',
  instructions: 'Send the email the user asks for.',
  tools: [sendEmail],
  model: scriptedModel((request) =>
    request.lastRole === 'tool'
      ? { text: `send_email said ${lastToolOutput(request)}` }
      : {
          toolCalls: [
            { name: 'send_email', input: { to: `${request.lastUserText?.split(' ').at(-1)}@example.com` } },
          ],
        },
  ),
});
