import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

/** What a console login answers. */
export interface ConsoleTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; role: string; unitCode: string | null; mustChangePassword: boolean };
}

/** An answer read off the wire: status, headers and the JSON body. */
export interface WireAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

/** The password `createUser` gives an account after its first login: derived from the name, so tests can sign in again. */
export const ownPassword = (username: string) => `${username}#Own-Pass-9`.replace(/\./g, '');

/** Console accounts through intake's API, as people use them: sign in (from any local address), create accounts. */
export function consoleAccounts(intake: INestApplication) {
  const http = () => request(intake.getHttpServer());

  async function login(username: string, password: string, status = 200) {
    return (await http().post('/api/v1/auth/login').send({ username, password }).expect(status)).body as ConsoleTokens & { code?: string };
  }

  /** A login sent from another local address (the whole of 127/8 is this machine), as a stranger elsewhere would. */
  function loginFrom(address: string, username: string, password: string) {
    const body = JSON.stringify({ username, password });
    const { port } = intake.getHttpServer().address() as AddressInfo;
    return new Promise<WireAnswer>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          localAddress: address,
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Creates an account (admin) and signs it in once, setting its own password (`ownPassword`). */
  async function createUser(adminAuth: string, body: Record<string, unknown>, firstPassword = 'First-Pass-2024') {
    const created = await http()
      .post('/api/v1/users')
      .set('Authorization', adminAuth)
      .send({ password: firstPassword, ...body })
      .expect(201);
    const tokens = (
      await http()
        .post('/api/v1/auth/password')
        .send({ username: body.username, currentPassword: firstPassword, newPassword: ownPassword(String(body.username)) })
        .expect(200)
    ).body as ConsoleTokens;
    return { id: created.body.id as string, tokens };
  }

  return { login, loginFrom, createUser };
}
