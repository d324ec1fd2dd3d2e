# Reads a file of command-line arguments: one per line, blank lines skipped, `#` starts a comment
# that runs to the end of the line (as in java's @argument files, which bin/npc passes it as).
# Used for bin/jvm.options and nix/maven-build.args. An argument may hold letters, digits and
# =:,._/+- only, so it means the same to java, to a shell and to Nix.
path:
let
  lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile path));
  # [ argument ] for a line with one, [ null ] for a blank or comment line.
  argumentOf = line: builtins.match "[[:space:]]*([^#[:space:]]([^#]*[^#[:space:]])?)?[[:space:]]*(#.*)?" line;
  check = line:
    let found = argumentOf line;
    in
    if found == null then throw "${toString path}: cannot read the line '${line}'"
    else if builtins.head found == null then [ ]
    else if builtins.match "[A-Za-z0-9=:,._/+-]+" (builtins.head found) == null
    then throw "${toString path}: '${builtins.head found}' is not one argument of letters, digits and =:,._/+- (one per line)"
    else [ (builtins.head found) ];
in
builtins.concatMap check lines
