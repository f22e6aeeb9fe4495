// A real SMTP server for the end-to-end tests: it accepts every mail on SMTP_PORT and
// lists what it received as JSON at http://127.0.0.1:HTTP_PORT/messages.
import http from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const smtpPort = Number(process.env.SMTP_PORT);
const httpPort = Number(process.env.HTTP_PORT);
const messages = [];

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    simpleParser(stream)
      .then((mail) => {
        messages.push({ to: mail.to?.text ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
        callback();
      })
      .catch(callback);
  },
});
smtp.listen(smtpPort, '127.0.0.1');

http
  .createServer((request, response) => {
    if (request.url === '/messages') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(messages));
    } else {
      response.statusCode = 404;
      response.end();
    }
  })
  .listen(httpPort, '127.0.0.1');
