/** Options more than one command takes, declared once. */
import type { Command } from 'commander';
import { delimiterArg, listArg } from './parse.js';

/** How a labelled file reads: the options `train` and `retrain` share. */
export function addDataOptions(command: Command): Command {
  return command
    .option('--target <column>', 'target column (1/0, true/false, yes/no, sim/não, s/n)')
    .option('--id <column>', 'id column: carried, never a feature')
    .option('--positive-label <value>', 'target value meaning churned, when not a usual yes')
    .option('--categorical <columns>', 'columns to read as categories (comma-separated)', listArg)
    .option('--numeric <columns>', 'columns to read as numbers (comma-separated)', listArg)
    .option('--delimiter <char>', 'field separator: , ; tab | (default: detected)', delimiterArg);
}
