// The JSON Lines cell representation of /work/shared/interop/README.md, shared by all oracles:
// one JSON array per row; integers beyond +-(2^53-1) as strings; decimals as unscaled-integer strings;
// floats as shortest round-trip text (JavaScript style) with "NaN"/"Infinity"/"-Infinity"/"-0.0";
// dates as days; times/timestamps as integer counts of the Parquet column's unit; bytes as lowercase hex.
// Also converts Apache Arrow (JS) record batches to such cells (used for Polars and parquet-wasm).

export const UNSUPPORTED = '"__unsupported__"';
const MAX_SAFE = 9007199254740991n;

/** Integer (number or bigint) -> JSON text: a number up to 2^53-1 in magnitude, else a string. */
export function intCell(v) {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  return b > MAX_SAFE || b < -MAX_SAFE ? `"${b}"` : b.toString();
}

function specialFloat(v) {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  if (v === 0 && Object.is(v, -0)) return '"-0.0"';
  return null;
}

/** Double -> JSON string with JavaScript's shortest round-trip text. */
export function f64Cell(v) {
  return specialFloat(v) ?? `"${String(v)}"`;
}

/** Shortest decimal text (JavaScript number style) that rounds back to the float32 value `v`. */
export function shortestFloat32(v) {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(parseFloat(s)) === f) return String(parseFloat(s));
  }
  return String(f);  // unreachable: 9 significant digits always round-trip a float32
}

/** Float32 (given as the exactly widened double) -> JSON string. */
export function f32Cell(v) {
  return specialFloat(v) ?? `"${shortestFloat32(v)}"`;
}

const HEX = Array.from({length: 256}, (_, i) => i.toString(16).padStart(2, '0'));
export function hex(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}
export function hexCell(bytes) { return `"${hex(bytes)}"`; }

export function stringCell(s) { return JSON.stringify(s); }

export const UNIT_NS = {MILLIS: 1000000n, MICROS: 1000n, NANOS: 1n, SECONDS: 1000000000n};

/** Count in unit `from` -> count in unit `to` (exact; null when the value is not a whole count). */
export function convertUnit(v, from, to) {
  const a = UNIT_NS[from], b = UNIT_NS[to];
  if (a === b) return v;
  if (a > b) return v * (a / b);
  const f = b / a;
  return v % f === 0n ? v / f : null;
}

/** Two's-complement little-endian 32-bit words -> BigInt. */
function wordsToBigInt(words, start, n) {
  let r = 0n;
  for (let k = n - 1; k >= 0; k--) r = (r << 32n) | BigInt(words[start + k] >>> 0);
  const bits = BigInt(32 * n);
  return r >= 1n << (bits - 1n) ? r - (1n << bits) : r;
}

// ---------------------------------------------------------------- Apache Arrow (JS) conversion

const UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});
const ARROW_TIME_UNIT = ['SECONDS', 'MILLIS', 'MICROS', 'NANOS'];  // arrow TimeUnit enum order

/**
 * Returns f(data, i) -> JSON text of row i of an arrow Data chunk, for a column whose Parquet kind
 * is col.value, or null when this Arrow type cannot give that kind exactly (caller prints
 * "__unsupported__").
 */
export function arrowCellFn(arrow, col, type, {temporalIntsAreRaw = true} = {}) {
  const T = arrow.Type;
  const id = type.typeId;
  const raw = (d, i) => d.values[d.offset + i];
  switch (col.value) {
    case 'boolean':
      if (id === T.Bool) return (d, i, v) => (v.get(i) ? 'true' : 'false');
      return null;
    case 'integer':
      if (id === T.Null) return () => 'null';
      // A plain INT32/INT64 column may come back as a temporal Arrow type when the writer stored an
      // ARROW:schema hint (e.g. parquet-rs Timestamp(SECOND), Date64): the raw values are the stored ones.
      // Polars converts such columns to its own units (Datetime ms/us/ns, Time ns): not the stored values.
      if (id === T.Int || (temporalIntsAreRaw &&
          (id === T.Timestamp || id === T.Time || id === T.Date || id === T.Duration))) {
        return (d, i) => intCell(raw(d, i));
      }
      return null;
    case 'decimal_unscaled': {
      if (id !== T.Decimal) return null;
      const words = (type.bitWidth || 128) / 32;
      const shift = BigInt(col.scale ?? 0) - BigInt(type.scale);
      if (shift < 0n) return null;
      const mul = 10n ** shift;
      return (d, i) => `"${wordsToBigInt(d.values, (d.offset + i) * words, words) * mul}"`;
    }
    case 'float32_text':
      if (id === T.Float) return (d, i) => f32Cell(raw(d, i));
      return null;
    case 'float64_text':
      if (id === T.Float && type.precision === 2) return (d, i) => f64Cell(raw(d, i));
      return null;
    case 'days_since_epoch':
      if (id === T.Date && type.unit === 0) return (d, i) => String(raw(d, i));
      if (id === T.Date) return (d, i) => intCell(BigInt(raw(d, i)) / 86400000n);
      return null;
    case 'time_since_midnight':
    case 'timestamp_since_epoch': {
      if (!((col.value === 'time_since_midnight' && id === T.Time) ||
            (col.value === 'timestamp_since_epoch' && id === T.Timestamp))) return null;
      const from = ARROW_TIME_UNIT[type.unit];
      return (d, i) => {
        const v = convertUnit(BigInt(raw(d, i)), from, col.unit);
        return v === null ? UNSUPPORTED : intCell(v);
      };
    }
    case 'string':
      if (id === T.Utf8 || id === T.LargeUtf8 || id === T.Utf8View || id === T.Dictionary) {
        return (d, i, v) => stringCell(v.get(i));
      }
      if (id === T.Binary || id === T.LargeBinary || id === T.BinaryView) {  // e.g. Polars reads JSON as binary
        return (d, i, v) => {
          try { return stringCell(UTF8.decode(v.get(i))); } catch { return UNSUPPORTED; }
        };
      }
      return null;
    case 'hex':
      if (id === T.Binary || id === T.LargeBinary || id === T.BinaryView || id === T.FixedSizeBinary) {
        return (d, i, v) => hexCell(v.get(i));
      }
      if (id === T.Float && type.precision === 0) {  // FLOAT16: the stored 2 bytes, little-endian
        return (d, i) => { const h = raw(d, i); return hexCell([h & 255, h >> 8]); };
      }
      if (id === T.Utf8 || id === T.LargeUtf8 || id === T.Utf8View) {
        return (d, i, v) => hexCell(new TextEncoder().encode(v.get(i)));  // lossy only for invalid UTF-8
      }
      return null;
    default:
      return null;  // e.g. int96
  }
}

/**
 * Writes the rows of an apache-arrow Table as JSON Lines to `out` (a function taking a string).
 * `columns` are the Parquet columns (from parquet_footer.mjs) in the table's field order.
 * Returns the set of column indexes printed as __unsupported__. options: see arrowCellFn.
 */
export function writeArrowTable(arrow, table, columns, out, options = {}) {
  const fields = table.schema.fields;
  if (fields.length !== columns.length) {
    throw new Error(`reader returned ${fields.length} columns, the file has ${columns.length}`);
  }
  const fns = fields.map((f, j) => arrowCellFn(arrow, columns[j], f.type, options));
  const unsupported = new Set(fns.flatMap((fn, j) => (fn ? [] : [j])));
  for (const batch of table.batches) {
    const vecs = fields.map((_, j) => batch.getChildAt(j));
    const n = batch.numRows;
    let chunk = '';
    for (let i = 0; i < n; i++) {
      const cells = new Array(vecs.length);
      for (let j = 0; j < vecs.length; j++) {
        const v = vecs[j];
        const d = v.data[0];
        if (!fns[j]) cells[j] = UNSUPPORTED;
        else if (!v.isValid(i)) cells[j] = 'null';
        else {
          cells[j] = fns[j](d, i, v);
          if (cells[j] === UNSUPPORTED) unsupported.add(j);
        }
      }
      chunk += `[${cells.join(',')}]\n`;
      if (chunk.length > 1 << 20) { out(chunk); chunk = ''; }
    }
    if (chunk) out(chunk);
  }
  return unsupported;
}
