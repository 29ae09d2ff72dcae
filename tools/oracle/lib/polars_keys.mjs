// Polars joins only keys of equal dtype: brings a table's key column to the spine's key dtype.
// Datetime keys of another unit or time zone are converted as instants (the stored count is kept
// for a time-zone change: Parquet timestamps are compared as stored, with no time-zone shift).

/** Returns `frame` (DataFrame or LazyDataFrame) with column `key` cast to `dtype`. `from` is its dtype. */
export function alignKey(pl, frame, key, dtype, from) {
  from = from ?? frame.getColumn(key).dtype;
  if (from.equals(dtype)) return frame;
  const isDt = (t) => String(t).startsWith('Datetime');
  let e = pl.col(key);
  if (isDt(from) && isDt(dtype)) {
    // Drop the time zone (UTC instants and naive values have the same stored count), then the unit.
    e = e.cast(pl.Int64).cast(pl.Datetime(from.timeUnit)).cast(pl.Datetime(dtype.timeUnit))
      .cast(pl.Int64).cast(pl.Datetime(dtype.timeUnit, dtype.timeZone ?? undefined));
  } else {
    e = e.cast(dtype);
  }
  return frame.withColumns(e.alias(key));
}
