import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { type BatonConfig, loadConfig } from '../config/load-config.js';
import { InvalidSettingError } from '../config/parsers.js';
import { type CommandName, flagDescription, type Setting, shownDefault } from '../config/setting.js';
import { SETTINGS, type SettingName } from '../config/settings.js';
import type { Environment } from '../core/environment.js';

/**
 * Adds the flags the configuration table (src/config/settings.ts) gives `name`, in table
 * order. Commander checks each argument with the setting's own parser (a bad one is a usage
 * error, exit 2) and sets no defaults: {@link configured} applies variable, then default.
 */
export function addConfigOptions(command: Command, name: CommandName): Command {
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const description = flagDescription(spec, name);
    if (spec.flag === undefined || description === undefined) continue;
    const option = new Option(spec.flag.syntax, helpText(description, spec));
    // The table's keys are the flags' attribute names: loadConfig finds each flag under its key.
    if (option.attributeName() !== key) throw new Error(`setting ${key} does not match ${spec.flag.syntax}`);
    if (spec.choices) option.choices(spec.choices);
    else if (spec.parse) {
      const parse = flagParser(spec.parse);
      if (spec.flag.repeatable)
        option.argParser((value: string, previous: unknown[] | undefined) => [
          ...(previous ?? []),
          parse(value),
        ]);
      else option.argParser(parse);
    }
    command.addOption(option);
  }
  return command;
}

/**
 * A commander action that first builds the command's configuration from its flags and `env`,
 * then calls `handler` with it and the command's arguments.
 */
export function configured<Args extends unknown[]>(
  env: Environment,
  handler: (config: BatonConfig, ...args: Args) => Promise<void> | void,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // Commander calls an action with the arguments, then the options, then the command.
    const command = args.at(-1) as Command;
    await handler(loadConfig({ env, flags: command.opts() }), ...(args.slice(0, -2) as Args));
  };
}

function helpText(description: string, spec: Setting<unknown>): string {
  const shown = shownDefault(spec);
  const notes = [
    ...(shown !== undefined ? [`default: ${shown}`] : []),
    ...(spec.env !== undefined ? [`$${spec.env}`] : []),
  ];
  return notes.length > 0 ? `${description} (${notes.join('; ')})` : description;
}

function flagParser<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw);
    } catch (error) {
      if (error instanceof InvalidSettingError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}
