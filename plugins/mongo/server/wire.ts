import { BSON } from 'mongodb';
import type { Doc } from './query/values';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_BYTES = 16;
const MSG_CHECKSUM_PRESENT = 1;
const MSG_MORE_TO_COME = 2;

/**
 * Longs stay Long so int64 values (and cursor ids) round-trip with their type; int32 and
 * double become JS numbers, which is why integral doubles come back as int32.
 */
const DESERIALIZE_OPTIONS = { promoteLongs: false, promoteValues: true } as const;

/** A decoded client request: the command body (document sequences merged in) and its database. */
export interface WireRequest {
  requestId: number;
  opCode: number;
  db: string;
  body: Doc;
  /** The client expects no reply (unacknowledged writes). */
  moreToCome: boolean;
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new Error('unterminated cstring');
  return [buf.toString('utf8', offset, end), end + 1];
}

function readDocument(buf: Buffer, offset: number): [Doc, number] {
  const size = buf.readInt32LE(offset);
  return [BSON.deserialize(buf.subarray(offset, offset + size), DESERIALIZE_OPTIONS) as Doc, offset + size];
}

function decodeMsg(frame: Buffer, requestId: number): WireRequest {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  const end = frame.length - (flags & MSG_CHECKSUM_PRESENT ? 4 : 0);
  let offset = HEADER_BYTES + 4;
  let body: Doc | null = null;
  const sequences: Record<string, Doc[]> = {};
  while (offset < end) {
    const kind = frame[offset];
    offset += 1;
    if (kind === 0) {
      [body, offset] = readDocument(frame, offset);
    } else if (kind === 1) {
      const sectionEnd = offset + frame.readInt32LE(offset);
      let identifier: string;
      [identifier, offset] = readCString(frame, offset + 4);
      const docs: Doc[] = [];
      while (offset < sectionEnd) {
        let doc: Doc;
        [doc, offset] = readDocument(frame, offset);
        docs.push(doc);
      }
      sequences[identifier] = docs;
    } else throw new Error(`unknown OP_MSG section kind ${kind}`);
  }
  if (!body) throw new Error('OP_MSG without a body section');
  Object.assign(body, sequences);
  return { requestId, opCode: OP_MSG, db: typeof body.$db === 'string' ? body.$db : 'admin', body, moreToCome: (flags & MSG_MORE_TO_COME) !== 0 };
}

/** Legacy OP_QUERY: only used by drivers for the first `ismaster` of a connection. */
function decodeQuery(frame: Buffer, requestId: number): WireRequest {
  const [fullName, afterName] = readCString(frame, HEADER_BYTES + 4);
  let [query] = readDocument(frame, afterName + 8);
  if (query.$query && typeof query.$query === 'object') query = query.$query as Doc;
  return { requestId, opCode: OP_QUERY, db: fullName.split('.')[0], body: query, moreToCome: false };
}

/** Decodes one complete frame; throws for opcodes this server does not speak (e.g. OP_COMPRESSED). */
export function decodeRequest(frame: Buffer): WireRequest {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return decodeMsg(frame, requestId);
  if (opCode === OP_QUERY) return decodeQuery(frame, requestId);
  throw new Error(`unsupported opCode ${opCode}`);
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

/** Encodes a reply in the same protocol the request used (OP_REPLY for OP_QUERY). */
export function encodeReply(req: WireRequest, doc: Doc): Buffer {
  const body = BSON.serialize(doc);
  if (req.opCode === OP_QUERY) {
    const prefix = Buffer.alloc(20);
    prefix.writeInt32LE(1, 16);
    return Buffer.concat([header(HEADER_BYTES + 20 + body.length, req.requestId, OP_REPLY), prefix, body]);
  }
  const prefix = Buffer.alloc(5);
  return Buffer.concat([header(HEADER_BYTES + 5 + body.length, req.requestId, OP_MSG), prefix, body]);
}
