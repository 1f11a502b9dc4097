/**
 * Writes a table as Parquet through hyparquet-writer (pure JavaScript, snappy-compressed), one
 * row group per call, each flushed to the output as it is encoded, so memory follows the row
 * group, not the file.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';

/** Text (null for missing), a double, or a 32-bit integer. */
export type ParquetColumnType = 'STRING' | 'DOUBLE' | 'INT32';

export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

/** Where the bytes go: an atomic file writer, say. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

export class ParquetTableWriter {
  private readonly bytes = new ByteWriter(1 << 20);
  private readonly parquet: ParquetWriter;

  constructor(
    private readonly sink: ByteSink,
    private readonly columns: readonly ParquetColumn[],
  ) {
    const schema: SchemaElement[] = [
      { name: 'root', num_children: columns.length },
      ...columns.map(({ name, type }): SchemaElement =>
        type === 'STRING'
          ? { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }
          : { name, type, repetition_type: 'REQUIRED' },
      ),
    ];
    this.parquet = new ParquetWriter({ writer: this.bytes, schema, createdBy: 'churn' });
  }

  /** One row group: a value array per column, in the columns' order. */
  async writeGroup(data: ReadonlyArray<ArrayLike<unknown>>): Promise<void> {
    const rows = data[0]?.length ?? 0;
    if (rows === 0) return;
    await this.parquet.write({
      columnData: this.columns.map(({ name }, c) => ({ name, data: data[c] as unknown[] })),
      rowGroupSize: rows,
    });
    await this.flush();
  }

  /** The footer; then every byte is in the sink. */
  async finish(): Promise<void> {
    await this.parquet.finish();
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.bytes.index === 0) return;
    const chunk = this.bytes.getBytes().slice();
    this.bytes.index = 0; // the writer keeps its running offset for the footer
    await this.sink.write(chunk);
  }
}
