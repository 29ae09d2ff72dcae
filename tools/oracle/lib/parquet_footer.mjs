// Reads a Parquet file's footer schema (Thrift compact protocol, no dependencies) and derives, for each
// leaf column, the `value` kind of /work/shared/interop/README.md (boolean, integer, decimal_unscaled,
// float32_text, float64_text, days_since_epoch, time_since_midnight, timestamp_since_epoch, string, hex).
// All readers of read_jsonl.mjs and the merge oracle take the column kinds from here, so the JSON
// representation depends only on the file's schema, never on how a library maps types.
import fs from 'node:fs';

const PHYSICAL = ['BOOLEAN', 'INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY', 'FIXED_LEN_BYTE_ARRAY'];
const REPETITION = ['REQUIRED', 'OPTIONAL', 'REPEATED'];
const CONVERTED = ['UTF8', 'MAP', 'MAP_KEY_VALUE', 'LIST', 'ENUM', 'DECIMAL', 'DATE', 'TIME_MILLIS',
  'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'UINT_8', 'UINT_16', 'UINT_32', 'UINT_64',
  'INT_8', 'INT_16', 'INT_32', 'INT_64', 'JSON', 'BSON', 'INTERVAL'];
const LOGICAL = {1: 'STRING', 2: 'MAP', 3: 'LIST', 4: 'ENUM', 5: 'DECIMAL', 6: 'DATE', 7: 'TIME', 8: 'TIMESTAMP',
  10: 'INTEGER', 11: 'NULL', 12: 'JSON', 13: 'BSON', 14: 'UUID', 15: 'FLOAT16', 16: 'VARIANT',
  17: 'GEOMETRY', 18: 'GEOGRAPHY'};
const TIME_UNIT = {1: 'MILLIS', 2: 'MICROS', 3: 'NANOS'};

/** Minimal Thrift compact-protocol reader: structs come back as {fieldId: value}. */
class Compact {
  constructor(buf) { this.b = buf; this.p = 0; }
  byte() {
    if (this.p >= this.b.length) throw new Error('footer truncated');
    return this.b[this.p++];
  }
  varint() {  // as BigInt (i64 safe)
    let r = 0n, shift = 0n, x;
    do { x = this.byte(); r |= BigInt(x & 0x7f) << shift; shift += 7n; } while (x & 0x80);
    return r;
  }
  zigzag() { const v = this.varint(); return (v >> 1n) ^ -(v & 1n); }
  int() { return Number(this.zigzag()); }
  binary() {
    const n = Number(this.varint());
    if (this.p + n > this.b.length) throw new Error('footer truncated');
    const s = this.b.subarray(this.p, this.p + n); this.p += n; return s;
  }
  value(type) {
    switch (type) {
      case 1: return true;
      case 2: return false;
      case 3: { const v = this.byte(); return v > 127 ? v - 256 : v; }
      case 4: case 5: return this.int();
      case 6: return this.zigzag();
      case 7: this.p += 8; return null;
      case 8: return this.binary();
      case 9: case 10: return this.list();
      case 11: return this.map();
      case 12: return this.struct();
      default: throw new Error(`bad thrift type ${type}`);
    }
  }
  list() {
    const h = this.byte();
    let n = h >> 4; const t = h & 15;
    if (n === 15) n = Number(this.varint());
    const out = [];
    for (let i = 0; i < n; i++) out.push(t === 1 || t === 2 ? this.byte() === 1 : this.value(t));
    return out;
  }
  map() {
    const n = Number(this.varint());
    if (n === 0) return [];
    const kv = this.byte(), out = [];
    for (let i = 0; i < n; i++) out.push([this.value(kv >> 4), this.value(kv & 15)]);
    return out;
  }
  struct() {
    // `$pos` (not enumerable) keeps each field header's byte offset, for patchNanosUtc().
    const out = {}, pos = {}; let last = 0;
    Object.defineProperty(out, '$pos', {value: pos});
    for (;;) {
      const at = this.p;
      const h = this.byte();
      if (h === 0) return out;
      const delta = h >> 4, t = h & 15;
      const id = delta ? last + delta : this.int();
      pos[id] = at;
      out[id] = this.value(t);
      last = id;
    }
  }
}

/** Returns the footer's raw FileMetaData bytes. Throws on a file that is not Parquet. */
function footerBytes(file) {
  return footer(file).buf;
}

function footer(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 12) throw new Error(`${file}: too small for Parquet`);
    const head = Buffer.alloc(4), tail = Buffer.alloc(8);
    fs.readSync(fd, head, 0, 4, 0);
    fs.readSync(fd, tail, 0, 8, size - 8);
    // Readers such as DuckDB, Polars and parquet-rs do not check the leading magic: the oracles do.
    if (head.toString('latin1') !== 'PAR1') throw new Error(`${file}: no PAR1 magic at the start`);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`${file}: no PAR1 magic at the end`);
    const len = tail.readUInt32LE(0);
    if (len > size - 12) throw new Error(`${file}: footer length ${len} exceeds the file`);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - 8 - len);
    return {buf, start: size - 8 - len};
  } finally {
    fs.closeSync(fd);
  }
}

function logicalType(lt) {
  if (!lt) return null;
  const id = Number(Object.keys(lt)[0]);
  const body = lt[id] || {};
  const out = {type: LOGICAL[id] || `UNKNOWN_${id}`};
  if (id === 5) { out.scale = body[1]; out.precision = body[2]; }
  if (id === 7 || id === 8) {
    out.isAdjustedToUTC = body[1];
    out.unit = TIME_UNIT[Number(Object.keys(body[2] || {})[0])];
  }
  if (id === 10) { out.bitWidth = body[1]; out.isSigned = body[2]; }
  return out;
}

/** The kind (README `value`) and unit of a flat column. */
function classify(c) {
  const lt = c.logical_type, ct = c.converted_type, pt = c.physical_type;
  const lname = lt && lt.type;
  if (lname === 'DECIMAL' || ct === 'DECIMAL') return {value: 'decimal_unscaled'};
  switch (pt) {
    case 'BOOLEAN': return {value: 'boolean'};
    case 'FLOAT': return {value: 'float32_text'};
    case 'DOUBLE': return {value: 'float64_text'};
    case 'INT96': return {value: 'int96'};  // not in the README's table: readers print __unsupported__
    case 'INT32': case 'INT64': {
      if (lname === 'DATE' || ct === 'DATE') return {value: 'days_since_epoch'};
      if (lname === 'TIME') return {value: 'time_since_midnight', unit: lt.unit};
      if (ct === 'TIME_MILLIS') return {value: 'time_since_midnight', unit: 'MILLIS'};
      if (ct === 'TIME_MICROS') return {value: 'time_since_midnight', unit: 'MICROS'};
      if (lname === 'TIMESTAMP') return {value: 'timestamp_since_epoch', unit: lt.unit};
      if (ct === 'TIMESTAMP_MILLIS') return {value: 'timestamp_since_epoch', unit: 'MILLIS'};
      if (ct === 'TIMESTAMP_MICROS') return {value: 'timestamp_since_epoch', unit: 'MICROS'};
      const unsigned = (lname === 'INTEGER' && lt.isSigned === false) || /^UINT_/.test(ct || '');
      return {value: 'integer', unsigned};
    }
    case 'BYTE_ARRAY':
      if (['STRING', 'ENUM', 'JSON'].includes(lname) || ['UTF8', 'ENUM', 'JSON'].includes(ct)) {
        return {value: 'string'};
      }
      return {value: 'hex'};
    default:
      return {value: 'hex'};  // FIXED_LEN_BYTE_ARRAY other than DECIMAL (UUID, FLOAT16, INTERVAL, plain)
  }
}

/**
 * Reads FILE's footer. Returns {numRows, createdBy, columns: [{name, physical_type, type_length,
 * repetition, converted_type, logical_type, scale, precision, value, unit?, unsigned?}]}.
 * Throws for nested schemas (the oracles, like featmerge, handle flat files only).
 */
export function readParquetSchema(file) {
  const meta = new Compact(footerBytes(file)).struct();
  const elems = meta[2] || [];
  if (!elems.length) throw new Error(`${file}: footer has no schema`);
  const root = elems[0];
  const columns = [];
  for (const e of elems.slice(1)) {
    const name = Buffer.from(e[4]).toString('utf8');
    if (e[5] !== undefined && e[5] > 0) throw new Error(`${file}: nested column ${name} (flat files only)`);
    if (e[3] === 2) throw new Error(`${file}: repeated column ${name} (flat files only)`);
    const c = {
      name,
      physical_type: PHYSICAL[e[1]],
      type_length: e[2],
      repetition: REPETITION[e[3] ?? 0],
      converted_type: e[6] === undefined ? null : CONVERTED[e[6]],
      logical_type: logicalType(e[10]),
    };
    if (c.logical_type && c.logical_type.type === 'DECIMAL') {
      c.scale = c.logical_type.scale; c.precision = c.logical_type.precision;
    } else if (c.converted_type === 'DECIMAL') {
      c.scale = e[7] ?? 0; c.precision = e[8];
    }
    Object.assign(c, classify(c));
    columns.push(c);
  }
  if ((root[5] ?? columns.length) !== columns.length) throw new Error(`${file}: nested schema (flat files only)`);
  return {numRows: Number(meta[3] ?? 0n), createdBy: meta[6] ? Buffer.from(meta[6]).toString('utf8') : null, columns};
}

/**
 * DuckDB reads TIME/TIMESTAMP(NANOS, isAdjustedToUTC=true) as TIMETZ/TIMESTAMPTZ, which hold only
 * microseconds, and so loses the last three digits. This finds those columns and, when `outFile` is
 * given, writes a copy of FILE whose footer marks them isAdjustedToUTC=false (one byte each: in the
 * Thrift compact protocol a bool field's value is its header's type nibble), which DuckDB reads as
 * TIME_NS/TIMESTAMP_NS, exactly as stored. Returns the names of the patched columns.
 */
export function patchNanosUtc(file, outFile) {
  const {buf, start} = footer(file);
  const meta = new Compact(buf).struct();
  const offsets = [], names = [];
  for (const e of (meta[2] || []).slice(1)) {
    const lt = e[10];
    if (!lt) continue;
    for (const id of [7, 8]) {  // TIME, TIMESTAMP
      const body = lt[id];
      if (body && body[1] === true && body[2] && body[2][3] !== undefined) {
        offsets.push(start + body.$pos[1]);
        names.push(Buffer.from(e[4]).toString('utf8'));
      }
    }
  }
  if (outFile && offsets.length) {
    const data = fs.readFileSync(file);
    for (const off of offsets) {
      if ((data[off] & 15) !== 1) throw new Error(`${file}: unexpected footer byte at ${off}`);
      data[off] = (data[off] & 0xf0) | 2;
    }
    fs.writeFileSync(outFile, data);
  }
  return names;
}
