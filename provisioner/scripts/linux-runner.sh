# Runner of the Linux cleanup script (POSIX sh). The provisioner writes a header with the
# settings above this file, each selected operation as a function op_N below it, then the
# calls to run_op and, when verify is on, gather. Everything it says for the provisioner is
# on stdout, one "@@sanitize-..." record per line (see provisioner/output.go).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
umask 077
# The script removes itself at once: sh keeps reading it through its open descriptor.
rm -f -- "$SANITIZE_SELF"
exec 3>&1
# The runner's own files live in /run (tmpfs, never in the image, never fetched); only when
# /run is not writable in /tmp, where tmp-files and the gather step skip them.
SANITIZE_WORK=$(mktemp -d /run/sanitize.XXXXXX 2>/dev/null || mktemp -d /tmp/sanitize-work.XXXXXX)
trap 'rm -rf -- "$SANITIZE_WORK"' EXIT
SANITIZE_CHANGES=$SANITIZE_WORK/changes
SANITIZE_OPLOG=$SANITIZE_WORK/oplog
if [ "$(id -u)" != 0 ]; then
  echo "@@sanitize-fatal the script runs as uid $(id -u), not root: execute_command must elevate (sudo -n)"
  exit 97
fi

# did MESSAGE: record a change. Notes go straight to the real stdout (fd 3) and a byte to
# the change counter: no fork per note, no pipeline per operation (forks are slow on
# small guests, and a run has hundreds of them otherwise).
did() {
  printf '@@sanitize-note %s %s\n' "$SANITIZE_OP" "$*" >&3
  printf x >>"$SANITIZE_CHANGES"
}

# user:home of every account with an absolute home directory
accounts() {
  awk -F: 'NF >= 6 && $6 ~ /^\// {print $1 ":" $6}' /etc/passwd
}

# shred a regular file, unlink anything else; a symlink is never followed
remove_file() {
  if [ -L "$1" ] || [ ! -f "$1" ]; then
    rm -f -- "$1"
  elif command -v shred >/dev/null 2>&1; then
    shred -u -z -n 1 -- "$1"
  else
    rm -f -- "$1"
  fi
}

# truncate a regular file in place (owner and mode kept); a symlink is removed, not followed
empty_file() {
  if [ -L "$1" ]; then
    rm -f -- "$1"
    did "removed symlink $1"
  elif [ -f "$1" ] && [ -s "$1" ]; then
    : >"$1"
    did "emptied $1"
  fi
}

# AuthorizedKeysFile tokens of sshd_config and its drop-ins (a superset is fine: every file
# named is either emptied or fetched)
authorized_keys_tokens() {
  cat /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null | awk '
    { sub(/^[ \t]+/, ""); n = split($0, w, /[ \t=]+/)
      if (tolower(w[1]) == "authorizedkeysfile") for (i = 2; i <= n; i++) if (w[i] != "" && w[i] != "none") print w[i] }' | sort -u
}

# every authorized_keys path sshd may read, one per line (one awk: a fork per account and
# token costs seconds on a guest with many system accounts)
authorized_keys_files() {
  awk -F: -v tokens="$(authorized_keys_tokens | tr '\n' ' ')" '
    NF >= 6 && $6 ~ /^\// {
      user = $1; home = $6; h = home; u = user
      gsub(/&/, "\\\\&", h); gsub(/&/, "\\\\&", u)
      print home "/.ssh/authorized_keys"; print home "/.ssh/authorized_keys2"
      n = split(tokens, t, " ")
      for (i = 1; i <= n; i++) {
        p = t[i]; gsub(/%%/, "\001", p); gsub(/%h/, h, p); gsub(/%u/, u, p); gsub(/\001/, "%", p)
        if (p !~ /^\//) p = home "/" p
        print p
      }
    }' /etc/passwd | sort -u
}

# run_op ID FUNCTION: run one operation in a subshell with set -eu and report it; what the
# operation prints (stdout and stderr) is kept in a file and shown, at most 20 lines, as log
run_op() {
  SANITIZE_OP=$1
  : >"$SANITIZE_CHANGES"
  (set -eu; "$2") >"$SANITIZE_OPLOG" 2>&1 && _rc=0 || _rc=$?
  if [ -s "$SANITIZE_OPLOG" ]; then
    tail -n 20 "$SANITIZE_OPLOG" | sed "s/^/@@sanitize-log $1 /"
  fi
  if [ "$_rc" -ne 0 ]; then
    echo "@@sanitize-op $1 failed $_rc"
  elif [ -s "$SANITIZE_CHANGES" ]; then
    echo "@@sanitize-op $1 done 0"
  else
    echo "@@sanitize-op $1 noop 0"
  fi
}

# gather: the files the checks read, as one base64 tar.gz between two markers. Files above
# SANITIZE_FETCH_MAX bytes are only listed in the manifest (type, size, path; NUL-separated),
# so a check that needs one reports "not verified" instead of passing.
gather_paths() {
  _ifs=$IFS
  IFS='
'
  for p in $SANITIZE_NEEDS_SYSTEM; do
    if [ -e "$p" ] || [ -L "$p" ]; then printf '%s\n' "$p"; fi
  done
  accounts | while IFS=: read -r user home; do
    for r in $SANITIZE_NEEDS_HOME; do
      for p in "$home"/$r; do
        if [ -e "$p" ] || [ -L "$p" ]; then printf '%s\n' "$p"; fi
      done
    done
  done
  authorized_keys_files
  IFS=$_ifs
}

gather() {
  _dir=$SANITIZE_WORK/gather
  mkdir -p "$_dir"
  # a need ending in "/" is a directory and everything below it; any other is the path itself
  gather_paths | sort -u >"$_dir/roots"
  _maxk=$((SANITIZE_FETCH_MAX / 1024))
  export SANITIZE_MAXK=$_maxk
  # roots overlap (/etc/ssh/ and an AuthorizedKeysFile in it): sort -zu keeps one of each;
  # the runner's work dir (in /tmp when /run is not writable) is pruned
  gather_find '-printf "%y %s %p\0"' >"$_dir/.packer-plugin-sanitize.manifest"
  gather_find '\( -type d -o -type l -o \( -type f -size -"$SANITIZE_MAXK"k \) \) -print0' >"$_dir/members"
  echo "@@sanitize-archive-begin"
  tar -czf - --null --no-recursion --ignore-failed-read -T "$_dir/members" \
    -C "$_dir" .packer-plugin-sanitize.manifest 2>/dev/null | base64
  echo "@@sanitize-archive-end"
}

# gather_find ACTION: find over the roots in $_dir/roots, NUL-separated, sorted, unique
gather_find() {
  {
    grep '/$' "$_dir/roots" | tr '\n' '\0' |
      xargs -0 -r sh -c 'find "$@" -path "$0" -prune -o '"$1"' 2>/dev/null; true' "$SANITIZE_WORK"
    grep -v '/$' "$_dir/roots" | tr '\n' '\0' |
      xargs -0 -r sh -c 'find "$@" -maxdepth 0 '"$1"' 2>/dev/null; true' "$SANITIZE_WORK"
  } | sort -zu
}
