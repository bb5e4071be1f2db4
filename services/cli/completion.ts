/**
 * `flowlog completion bash|zsh`: a completion script generated from the
 * command table and each command's own flags (the options its parseCli call
 * declares, asked for through --help), so completion cannot drift from parsing.
 */
import { HelpRequested } from './args.js';

export interface CompletionCommand { name: string; summary: string; words: string[]; flags: HelpRequested['flags'] }

type Command = (argv: string[]) => Promise<number>;

/** Each command's flags, from the HelpRequested its `--help` throws; subcommand words from its summary ("ipam check|lookup ..."). */
export async function completionCommands(table: Record<string, { load: () => Promise<Command>; summary: string }>): Promise<CompletionCommand[]> {
  const out: CompletionCommand[] = [];
  for (const [name, c] of Object.entries(table)) {
    let flags: HelpRequested['flags'] = [];
    try {
      await (await c.load())(['--help']);
    } catch (e) {
      if (!(e instanceof HelpRequested)) throw e;
      flags = e.flags;
    }
    const words = new RegExp(`^${name} ([a-z]+(?:\\|[a-z]+)+)\\b`).exec(c.summary)?.[1]?.split('|') ?? [];
    out.push({ name, summary: c.summary, words, flags: [...flags, { name: 'help', short: 'h', takesValue: false, help: 'show this help' }] });
  }
  return out;
}

const shellWord = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '');
/** Text inside a zsh '...[description]' spec: no quotes, brackets or colons. */
const zshText = (s: string) => s.replace(/['[\]:\\`$]/g, '').replace(/\s+/g, ' ').trim();

export function bashCompletion(cmds: CompletionCommand[]): string {
  const cases = cmds.map((c) => {
    const words = [...c.words, ...c.flags.map((f) => `--${shellWord(f.name)}`)].join(' ');
    const valued = c.flags.filter((f) => f.takesValue).map((f) => `--${shellWord(f.name)}`).join('|');
    return `    ${shellWord(c.name)}) opts="${words}"${valued ? `; case "$prev" in ${valued}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0;; esac` : ''};;`;
  });
  return `# flowlog bash completion: source <(flowlog completion bash), or save it in /etc/bash_completion.d/flowlog
_flowlog() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${cmds.map((c) => shellWord(c.name)).join(' ')} completion help --help --version" -- "$cur") )
    return 0
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    completion) opts="bash zsh";;
    help) opts="${cmds.map((c) => shellWord(c.name)).join(' ')}";;
    *) opts="";;
  esac
  if [[ "$cur" == -* || "\${COMP_WORDS[1]}" == completion || "\${COMP_WORDS[1]}" == help ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$(echo "$opts" | tr ' ' '\\n' | grep -v '^-')" -- "$cur") $(compgen -f -- "$cur") )
  fi
  return 0
}
complete -o filenames -F _flowlog flowlog
`;
}

export function zshCompletion(cmds: CompletionCommand[]): string {
  const cases = cmds.map((c) => {
    const specs = c.flags.map((f) => `'--${shellWord(f.name)}[${zshText(f.help)}]${f.takesValue ? ':value:_files' : ''}'`);
    if (c.words.length) specs.push(`'1:subcommand:(${c.words.map(shellWord).join(' ')})'`);
    specs.push(`'*:file:_files'`);
    return `    ${shellWord(c.name)}) _arguments ${specs.join(' ')} ;;`;
  });
  return `#compdef flowlog
# flowlog zsh completion: source <(flowlog completion zsh), or save it as _flowlog in a folder of $fpath
_flowlog() {
  local -a commands
  commands=(
${cmds.map((c) => `    '${shellWord(c.name)}:${zshText(c.summary)}'`).join('\n')}
    'completion:print a shell completion script (bash or zsh)'
    'help:help on a command'
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    _arguments '--version[print the version]' '--help[show the commands]'
    return
  fi
  local cmd=$words[2]
  shift words; (( CURRENT-- ))
  case $cmd in
${cases.join('\n')}
    completion) _arguments '1:shell:(bash zsh)' ;;
    help) _describe 'command' commands ;;
  esac
}
if [ "$funcstack[1]" = "_flowlog" ]; then _flowlog "$@"; else compdef _flowlog flowlog; fi
`;
}
