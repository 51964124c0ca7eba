# bash completion for declass(1).
#
# Commands, their options and the values of --format and --role are read
# from the binary's own help ('declass --help', 'declass COMMAND --help',
# cached per shell), so they follow the binary being completed; levels for
# --classification and --clearance; files for --db and ingest.  Document
# ids and user names are not completed: that would read (and audit) the
# database.  Installed as ${datadir}/bash-completion/completions/declass;
# tests/cli/test_completion.py drives it.

declare -gA _declass_help_cache

# REPLY: the help text of "$1 [$2] --help" ($1 the binary, $2 a command).
_declass_help()
{
    local key="$1|$2"
    if [[ -z ${_declass_help_cache[$key]+set} ]]; then
        if [[ -n $2 ]]; then
            _declass_help_cache[$key]=$("$1" "$2" --help 2>/dev/null)
        else
            _declass_help_cache[$key]=$("$1" --help 2>/dev/null)
        fi
    fi
    REPLY=${_declass_help_cache[$key]}
}

# REPLY: the commands 'declass --help' lists, space-separated.
_declass_commands()
{
    _declass_help "$1" ""
    local line out= incmds=
    while IFS= read -r line; do
        if [[ $line == commands: ]]; then
            incmds=1
        elif [[ -n $incmds && $line =~ ^\ \ ([a-z]+)\  ]]; then
            out+="${BASH_REMATCH[1]} "
        fi
    done <<<"$REPLY"
    REPLY=$out
}

# REPLY: the options 'declass CMD --help' names (--word, -x), less --db.
_declass_options()
{
    _declass_help "$1" "$2"
    local word out=" "
    for word in $(tr -c 'a-zA-Z0-9_-' '\n' <<<"$REPLY" | grep -xE -- '--[a-z][a-z-]*|-[a-z]'); do
        [[ $word == --db || $out == *" $word "* ]] || out+="$word "
    done
    [[ $out == *" --as "* ]] || out+="--as "
    [[ $out == *" --help "* ]] || out+="--help "
    REPLY=$out
}

# Succeeds when option $3 of command $2 takes a value ("--limit N",
# "--format text|json", "--from DATE, --to DATE" in the help).
_declass_takes_value()
{
    [[ $3 == --as || $3 == --db ]] && return 0
    [[ $3 == --* ]] || return 1
    _declass_help "$1" "$2"
    grep -qE -- "(^|[^a-z-])$3[ =]([A-Z]+|[a-z]+([|][a-z]+)+)([^a-z]|\$)" <<<"$REPLY"
}

# REPLY: the values of "--opt a|b|c" in the help of command $2.
_declass_choices()
{
    _declass_help "$1" "$2"
    REPLY=$(grep -oE -- "$3[ =][a-z]+([|][a-z]+)+" <<<"$REPLY" | head -n 1)
    REPLY=${REPLY#"$3"?}
    REPLY=${REPLY//|/ }
}

_declass_files()
{
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$1"))
}

_declass()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev= bin=${COMP_WORDS[0]}
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    [[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
    COMPREPLY=()

    # The command (the first word that is not a global option or its
    # value) and, for 'user', the subcommand.
    local i w cmd= sub= nargs=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -z $cmd ]]; then
            case $w in
            --db | --as) ((i++)) ;;
            -*) ;;
            *) cmd=$w ;;
            esac
        elif [[ $w == -* ]]; then
            _declass_takes_value "$bin" "$cmd" "$w" && ((i++))
        elif [[ $cmd == user && -z $sub ]]; then
            sub=$w
        else
            ((nargs++))
        fi
    done

    case $prev in
    --db)
        _declass_files "$cur"
        return
        ;;
    --classification | --clearance)
        COMPREPLY=($(compgen -W "UNCLASSIFIED CONFIDENTIAL SECRET TOP-SECRET" -- "$cur"))
        return
        ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--db --as --version --help" -- "$cur"))
        else
            _declass_commands "$bin"
            COMPREPLY=($(compgen -W "$REPLY help" -- "$cur"))
        fi
        return
    fi

    if [[ $prev == -* ]] && _declass_takes_value "$bin" "$cmd" "$prev"; then
        _declass_choices "$bin" "$cmd" "$prev"
        [[ -n $REPLY ]] && COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
        return # N, NAME, DATE, USER, ...: nothing to offer
    fi

    if [[ $cur == -* ]]; then
        _declass_options "$bin" "$cmd"
        COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
        return
    fi

    case $cmd in
    help)
        if ((nargs == 0)); then
            _declass_commands "$bin"
            COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
        fi
        ;;
    user)
        if [[ -z $sub ]]; then
            _declass_help "$bin" user
            # the usage lines: "declass [--db PATH] [--as ADMIN] user add NAME"
            COMPREPLY=($(compgen -W "$(grep -oE '\] user [a-z]+' <<<"$REPLY" |
                                       sed 's/.* //')" -- "$cur"))
        fi
        ;;
    ingest) _declass_files "$cur" ;;
    esac
}

complete -F _declass declass
