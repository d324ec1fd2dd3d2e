# The unit file NixOS writes for a service (etc/systemd/system/<name>.service in the toplevel):
# what switch-to-configuration compares and what npc-daemon compares with the unit it runs as.
# After nixpkgs' nixos/lib/systemd-lib.nix (serviceToUnit, commonUnitText, attrsToSection, the
# unitConfig and serviceConfig modules, stage2ServiceConfig's default path), for the attributes a
# service like npc's sets; what NixOS adds to every unit (globalEnvironment: LOCALE_ARCHIVE,
# TZDIR) is left out.
{ lib, pkgs }:
def:
let
  inherit (builtins) attrNames concatLists concatStringsSep isList toJSON;
  concatStrings = concatStringsSep "";
  toOption = x: if x == true then "true" else if x == false then "false" else toString x;
  attrsToSection = as: concatStrings (concatLists (lib.mapAttrsToList
    (name: value: map (x: "${name}=${toOption x}\n") (if isList value then value else [ value ])) as));

  unitConfig =
    lib.optionalAttrs ((def.wants or [ ]) != [ ]) { Wants = toString def.wants; }
    // lib.optionalAttrs ((def.after or [ ]) != [ ]) { After = toString def.after; }
    // lib.optionalAttrs ((def.description or "") != "") { Description = def.description; }
    // lib.optionalAttrs ((def.documentation or [ ]) != [ ]) { Documentation = toString def.documentation; }
    // (def.unitConfig or { });

  path = (def.path or [ ]) ++ [ pkgs.coreutils pkgs.findutils pkgs.gnugrep pkgs.gnused pkgs.systemd ];
  environment = (def.environment or { }) // {
    PATH = "${lib.makeBinPath path}:${lib.concatMapStringsSep ":" (p: "${p}/sbin") path}";
  };
in
''
  [Unit]
  ${attrsToSection unitConfig}
''
+ "[Service]\n"
+ concatStrings (map (n: "Environment=${toJSON "${n}=${environment.${n}}"}\n") (attrNames environment))
+ lib.optionalString (!(def.restartIfChanged or true)) "X-RestartIfChanged=false\n"
+ lib.optionalString (!(def.stopIfChanged or true)) "X-StopIfChanged=false\n"
+ attrsToSection (def.serviceConfig or { })
+ lib.optionalString ((def.wantedBy or [ ]) != [ ]) "\n[Install]\nWantedBy=${concatStringsSep " " def.wantedBy}\n"
