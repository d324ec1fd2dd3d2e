# services.npc: keeps this host on the configuration its desired.json names, by running
# npc-daemon, which pulls the packed flake from the store, builds, switches, checks health and
# rolls back on failure. See nixos/README.md.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption mkIf mkMerge types optional concatMap;

  cfg = config.services.npc;
  watchCfg = config.services.npc-watch;

  # A time span in systemd's grammar (systemd.time(7); parse_time in systemd's
  # src/basic/time-util.c): "5min", "1h30m", "2 h", "1.5h", "500ms", "1d"; a number alone is
  # seconds. Components are a number with an optional fraction and an optional unit; a component
  # without a unit is followed by white space or the end. The daemon (npc-core's
  # dev.npc.time.Durations) parses exactly this grammar: both are tested against one table,
  # npc-core/src/test/resources/dev/npc/time/time-spans.json. "infinity" is not accepted: every
  # span here is a limit npc must reach.
  ws = "[ \t\n\r]";
  number = "([0-9]+|[0-9]*[.][0-9]+)";
  # systemd's unit names (micro written as U+03BC or U+00B5, as systemd accepts both).
  timeUnit = "(seconds|second|sec|s|minutes|minute|min|months|month|M|msec|ms|m|hours|hour|hr|h|days|day|d|weeks|week|w|years|year|y|usec|us|μs|µs)";
  timeSpan = types.strMatching "${ws}*(${number}(${ws}*${timeUnit}${ws}*|${ws}+))*${number}(${ws}*${timeUnit})?${ws}*";

  # A maintenance window: "Sat 02:00-04:00 UTC", "Mon..Fri 22:00-23:30 Europe/Berlin", "03:00-05:00"
  # (days as systemd.time(7) names them, lists and ranges, a range may wrap; HH:MM-HH:MM, the end
  # may be 24:00, at or before the start it is the next day; an optional zone, else the host's).
  # The same expression as the daemon's (npc-core dev.npc.time.MaintenanceWindow.GRAMMAR) and the
  # Terraform host module's, all three tested against one table,
  # npc-core/src/test/resources/dev/npc/time/windows.json. Only the daemon can tell a zone name
  # its time-zone database lacks (Mars/Olympus): it refuses it at start, with that reason.
  windowDay = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
  windowDays = "${windowDay}(([.][.]|-)${windowDay})?";
  windowTime = "([01][0-9]|2[0-3]):[0-5][0-9]";
  windowZone = "[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*";
  maintenanceWindow = types.strMatching
    "(${windowDays}(,${windowDays})* +)?${windowTime}(-|[.][.])(${windowTime}|24:00)( +${windowZone})?";

  # Every setting becomes an explicit flag, so `systemctl cat npc` shows exactly what the daemon
  # was told, and nothing depends on a config file that could be out of step with the unit.
  # Which option becomes which flag is one list, daemon-flags.nix, that the tests hold against the
  # daemon's own settings.
  optionValue = path: builtins.foldl' (set: name: set.${name}) cfg path;
  flagArgs = { option, flag, when ? null }:
    let value = optionValue option;
    in
    if value == null || value == false || (when != null && !(optionValue when)) then [ ]
    else if value == true then [ "--${flag}" ]
    else if builtins.isList value then concatMap (item: [ "--${flag}" (toString item) ]) value
    else [ "--${flag}" (toString value) ];

  daemonArgs =
    [ "--state-dir" "/var/lib/npc" ]
    ++ concatMap flagArgs (import ./daemon-flags.nix)
    ++ optional cfg.timer.enable "--once";

  # systemd's own quoting (not the shell's): a double-quoted C-style string, with % and $ doubled
  # so systemd expands no specifier or variable inside a health command or URL.
  systemdArg = arg: builtins.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON (toString arg));
  execStart = lib.concatMapStringsSep " " systemdArg ([ "${cfg.package}/bin/npc-daemon" "follow" ] ++ daemonArgs);

  environment = {
    # The daemon resolves every system-changing command through these, so tests can swap them.
    # systemd-run (for switches) is taken from the same directory as systemctl.
    NPC_NIX_BIN = "${config.nix.package}/bin";
    NPC_SYSTEMCTL_BIN = "${config.systemd.package}/bin/systemctl";
    # When a switch brings a different npc, the daemon sees its launcher changed, reports, and
    # exits; systemd then starts the new one (Restart=always).
    NPC_SELF_PATH = "${cfg.package}/bin/npc-daemon";
    NPC_JAVA_OPTS = lib.concatStringsSep " " cfg.jvmOptions;
  } // lib.optionalAttrs (cfg.region != null) { AWS_REGION = cfg.region; };

  # npc watch: one JSON message per fleet change that matters (README "Fleet alerts"). It runs
  # where an admin's credentials are (any NixOS machine), not on every host.
  watchArgs =
    [ "--store" (toString watchCfg.store) "--state" "/var/lib/npc-watch/state.json"
      "--every" watchCfg.interval "--stale-after" (toString watchCfg.staleAfter) ]
    ++ lib.optionals (watchCfg.endpointUrl != null) [ "--endpoint-url" watchCfg.endpointUrl ]
    ++ concatMap (command: [ "--on-change" command ]) watchCfg.onChange;
  # Webhook URLs are secrets (a Slack webhook's path is its key): systemd hands the file to the
  # unit as a credential (LoadCredential=, readable by the dynamic user only), and %d is the
  # directory it lands in, so the URLs appear in no unit file, command line or Nix store path.
  watchExecStart = lib.concatMapStringsSep " " systemdArg ([ "${watchCfg.package}/bin/npc" "watch" ] ++ watchArgs)
    + lib.optionalString (watchCfg.webhookFile != null) " --webhook-file %d/webhooks";

  watchUnit = {
    description = "npc watch: send one message per fleet change that matters";
    documentation = [ "file://${watchCfg.package}/share/doc/npc/nixos-module.md" ];
    wants = [ "network-online.target" ];
    after = [ "network-online.target" ];
    wantedBy = [ "multi-user.target" ];
    # --on-change commands find these; a command that needs more names its full path.
    path = [ pkgs.coreutils pkgs.curl ];
    environment = {
      NPC_JAVA_OPTS = lib.concatStringsSep " " watchCfg.jvmOptions;
    } // lib.optionalAttrs (watchCfg.region != null) { AWS_REGION = watchCfg.region; };
    serviceConfig = {
      ExecStart = watchExecStart;
      # No account to manage: a user made up at each start, owning only the state directory.
      DynamicUser = true;
      StateDirectory = "npc-watch";
      StateDirectoryMode = "0700";
      UMask = "0077";
      Restart = "always";
      RestartSec = "10s";
      # It reads a bucket and posts to webhooks: nothing else of the machine is its business.
      NoNewPrivileges = true;
      ProtectSystem = "strict";
      ProtectHome = true;
      PrivateTmp = true;
      PrivateDevices = true;
      ProtectKernelTunables = true;
      ProtectKernelModules = true;
      ProtectKernelLogs = true;
      ProtectControlGroups = true;
      ProtectClock = true;
      ProtectHostname = true;
      RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
      RestrictNamespaces = true;
      RestrictRealtime = true;
      RestrictSUIDSGID = true;
      LockPersonality = true;
      SystemCallArchitectures = "native";
      CapabilityBoundingSet = "";
      # Not MemoryDenyWriteExecute: the JVM's JIT writes the code it runs.
    } // lib.optionalAttrs (watchCfg.webhookFile != null) {
      LoadCredential = "webhooks:${toString watchCfg.webhookFile}";
    } // lib.optionalAttrs (watchCfg.environmentFile != null) {
      EnvironmentFile = toString watchCfg.environmentFile;
    };
  };

  unit = {
    description = "npc: follow the configuration this host's desired.json names";
    # The package's own copy of this documentation: the unit names no web page that could move.
    documentation = [
      "file://${cfg.package}/share/doc/npc/nixos-module.md"
    ];
    wants = [ "network-online.target" ];
    after = [ "network-online.target" ];
    # Health commands and hooks run with these (NixOS adds coreutils, grep, sed and systemd).
    path = [ config.nix.package pkgs.git pkgs.coreutils pkgs.curl ];
    inherit environment;

    # A switch must never stop or restart the daemon that is running the switch:
    # switch-to-configuration skips a changed unit marked X-RestartIfChanged=false, and stops a
    # unit that a new configuration no longer has unless its [Unit] says X-StopOnRemoval=false
    # (collect_unit_changes and handle_modified_unit in nixpkgs'
    # pkgs/by-name/sw/switch-to-configuration-ng/src/main.rs; nixos/modules/tasks/auto-upgrade.nix
    # sets the same for nixos-upgrade.service, nixos/modules/virtualisation/amazon-init.nix for
    # amazon-init.service). So a configuration that drops or renames
    # services.npc does not kill the daemon mid-switch. When its unit changes, the daemon notices
    # after reporting and exits; Restart=always starts it again as the new unit says.
    restartIfChanged = false;
    stopIfChanged = false;
    unitConfig.X-StopOnRemoval = false;

    serviceConfig = {
      ExecStart = execStart;
      StateDirectory = "npc";
      StateDirectoryMode = "0700";
      # Let a running switch finish when the host shuts down instead of cutting it in half.
      KillMode = "process";
      TimeoutStopSec = "5min";
    } // lib.optionalAttrs (cfg.environmentFile != null) {
      # toString: a path literal names the file in place instead of copying a secret into the store.
      EnvironmentFile = toString cfg.environmentFile;
    } // (if cfg.timer.enable then {
      Type = "oneshot";
    } else {
      Restart = "always";
      RestartSec = "10s";
    });
  };
in
{
  # npc is not in nixpkgs and no person in lib.maintainers stands for this module, so the list is
  # empty rather than naming someone who did not agree to it; issues go to npc's own repository.
  meta.maintainers = [ ];

  options.services.npc-watch = {
    enable = mkEnableOption "npc watch, which sends one message per fleet change that matters (a host failed, rolled back, went stale or recovered, a rollout stopped) to webhooks or commands";

    package = lib.mkPackageOption pkgs "npc" { };

    store = mkOption {
      # null only so that a configuration without the watch evaluates; an assertion asks for it.
      type = types.nullOr (types.strMatching "(s3|file)://.+");
      default = null;
      example = "s3://my-fleet-bucket/fleet";
      description = "The npc store to watch: s3://bucket/prefix or file:///dir (required when enabled).";
    };

    region = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "eu-west-1";
      description = "AWS region of the bucket (sets AWS_REGION); null lets the SDK find it.";
    };

    endpointUrl = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "https://minio.example.com";
      description = "An S3-compatible endpoint (MinIO, Ceph); null for AWS S3.";
    };

    webhookFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/npc-webhooks";
      description = ''
        A file of webhook URLs, one a line (lines starting with # are comments), each sent every
        event as JSON (Slack's incoming webhooks read its text). A webhook URL is a secret: give a
        path outside the Nix store (agenix, sops-nix); systemd passes it to the service as a
        credential (LoadCredential=), so the URLs are in no unit file or command line.
      '';
    };

    onChange = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "/run/current-system/sw/bin/logger -t npc-watch" ];
      description = ''
        Command lines run per event by /bin/sh -c (as the daemon's hooks), with the event's JSON
        on stdin and NPC_EVENT_* variables.
        They run as the service's dynamic user, with the system read-only.
      '';
    };

    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/npc-watch.env";
      description = ''
        A file of KEY=value lines (systemd's EnvironmentFile=): AWS_ACCESS_KEY_ID and
        AWS_SECRET_ACCESS_KEY where the machine has no instance role. Keep it out of the Nix store.
      '';
    };

    interval = mkOption {
      type = timeSpan;
      default = "30s";
      example = "1min";
      description = "How often the fleet is read, a systemd time span. Each look costs 304 answers for unchanged documents.";
    };

    staleAfter = mkOption {
      type = types.ints.positive;
      default = 3;
      description = "A host is stale after this many report intervals without a report (as npc status --stale-after).";
    };

    jvmOptions = mkOption {
      type = types.listOf types.str;
      default = import ../nix/args-file.nix ../bin/jvm.options ++ [ "-Xmx256m" ];
      defaultText = lib.literalExpression ''(the flags in bin/jvm.options) ++ [ "-Xmx256m" ]'';
      description = "Options for the watcher's JVM (NPC_JAVA_OPTS).";
    };
  };

  options.services.npc = {
    enable = mkEnableOption "npc-daemon, which keeps this host on the configuration published to an npc store";

    # pkgs.npc comes from the npc flake's overlays.default, which its nixosModules.default applies.
    package = lib.mkPackageOption pkgs "npc" { };

    store = mkOption {
      type = types.nullOr (types.strMatching "(s3|file)://.+");
      default = null;
      example = "s3://my-fleet-bucket/fleet";
      description = ''
        The npc store this host follows: s3://bucket/prefix (or file:///dir for local use).
        null (the default) lets the daemon use the store `npc-daemon install --store` recorded in
        /var/lib/npc/config.json (the EC2 bootstrap passes Terraform's store there); a host that
        was never installed that way then reports "no store configured" and does nothing. Set it
        only to override what install recorded.
      '';
    };

    host = mkOption {
      # Checked by an assertion rather than the type, so a bad name gets a message that says what to set.
      type = types.nullOr types.str;
      default = null;
      example = "web-1";
      description = ''
        The host's name in the store: it reads hosts/<host>/desired.json and writes
        hosts/<host>/state.json. null (the default) lets the daemon decide: the name
        `npc-daemon install --host` recorded in /var/lib/npc/config.json (the EC2 bootstrap passes
        Terraform's host name there), else the kernel's host name (networking.hostName). Set it
        only to override both.
      '';
    };

    region = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "eu-west-1";
      description = "AWS region of the bucket (sets AWS_REGION); null lets the SDK find it (instance metadata).";
    };

    endpointUrl = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "https://minio.example.com";
      description = "An S3-compatible endpoint (MinIO, Ceph); null for AWS S3.";
    };

    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/npc.env";
      description = ''
        A file of KEY=value lines the service reads at start (systemd's EnvironmentFile=), for
        credentials of an S3-compatible store without instance credentials:
        AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN). Give a path outside the
        Nix store (for example one written by agenix or sops-nix): everything in the store is
        world-readable.
      '';
    };

    configuration = mkOption {
      type = types.nullOr (types.strMatching "[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
      default = null;
      description = "The nixosConfigurations attribute to build when desired.json names none; null means the host name.";
    };

    interval = mkOption {
      type = timeSpan;
      default = "60s";
      example = "5min";
      description = "Time between polls, a systemd time span (the daemon adds jitter). A poll of an unchanged store costs two 304 answers.";
    };

    action = mkOption {
      type = types.enum [ "switch" "boot" "test" ];
      default = "switch";
      description = "What to do with a new system when desired.json names no action: switch-to-configuration switch, boot or test.";
    };

    window = mkOption {
      type = types.nullOr maintenanceWindow;
      default = null;
      example = "Sat 02:00-04:00 UTC";
      description = ''
        The maintenance window new versions are switched to and reboots made in: days (Mon, Sat,
        Mon..Fri, Sat,Sun), HH:MM-HH:MM, and a time zone (UTC, Europe/Berlin; none: the host's own).
        Outside it the daemon downloads, verifies and builds a new version, then waits; state.json
        and `npc status` say "waiting for window (next: ...)". `npc-daemon trigger --now` switches
        at once, once. desired.json's window (Terraform's host module's window) replaces this one.
        npc's first activation on a host does not wait. null: any time.
      '';
    };

    reboot = mkOption {
      type = types.enum [ "never" "allowed" ];
      default = "never";
      description = ''
        Whether the daemon reboots the host when a switch brought another kernel, initrd, kernel
        modules or kernel parameters than the booted system runs (/run/booted-system, compared as
        system.autoUpgrade.allowReboot compares them). "never": report "reboot required" only.
        "allowed": reboot inside the window (at once without one), check the booted system's
        health, and when it fails put the previous boot entry back and reboot into it; at most one
        reboot into a system and one back. desired.json's reboot replaces this setting.
      '';
    };

    healthChecks = {
      commands = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "systemctl is-active nginx" ];
        description = "Shell commands run after a switch; any non-zero exit counts as unhealthy and rolls back.";
      };
      urls = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "http://127.0.0.1/healthz" ];
        description = "URLs fetched after a switch; anything but a 2xx answer counts as unhealthy and rolls back.";
      };
      tcp = mkOption {
        # HOST:PORT, an IPv6 address in brackets; the daemon checks the rest (a port from 1 to 65535).
        type = types.listOf (types.strMatching "([^:]+|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})");
        default = [ ];
        example = [ "127.0.0.1:5432" "[::1]:6379" ];
        description = "TCP ports that must accept a connection after a switch; one that does not counts as unhealthy and rolls back.";
      };
      timeout = mkOption {
        type = timeSpan;
        default = "120s";
        description = "How long the health checks may take to pass before the switch counts as failed.";
      };
      strict = mkOption {
        type = types.bool;
        default = false;
        description = ''
          Count every failed unit against a switch. By default a host that was already degraded
          before the switch (an unrelated unit had failed) is judged by the units that failed
          since; the ones that had failed before are reported in state.json, not counted.
        '';
      };
    };

    buildTimeout = mkOption {
      type = types.nullOr timeSpan;
      default = null;
      example = "2h";
      description = "Limit for building or realising a system; null keeps the daemon's default (2h).";
    };

    switchTimeout = mkOption {
      type = types.nullOr timeSpan;
      default = null;
      example = "15min";
      description = ''
        When a switch-to-configuration that runs longer is reported as slow; null keeps the
        daemon's default (15min). npc never kills a running switch: it waits as long again, then
        asks systemd to stop the switch's transient unit, and rolls back.
      '';
    };

    retries = mkOption {
      type = types.nullOr types.ints.unsigned;
      default = null;
      example = 2;
      description = "How often a failed version is tried again (with backoff) before npc waits for a new one; null keeps the daemon's default.";
    };

    retryBackoff = mkOption {
      type = types.nullOr timeSpan;
      default = null;
      example = "5min";
      description = "The wait before a failed version's first retry, doubling after each; null keeps the daemon's default (1min).";
    };

    keepGenerations = mkOption {
      type = types.ints.positive;
      default = 10;
      description = ''
        System generations kept after a healthy switch; older ones are deleted, and their boot
        entries with them, never the running or the booted system.
      '';
    };

    hooks = {
      preActivate = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Shell command run before switch-to-configuration; a non-zero exit skips the activation.";
      };
      postActivate = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Shell command run after a healthy activation.";
      };
      onFailure = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "curl -fsS -X POST https://alerts.example.com/npc-failed";
        description = "Shell command run when an attempt fails or is rolled back (for alerts).";
      };
    };

    extraSubstituters = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "s3://my-fleet-cache?region=eu-west-1" ];
      description = "Binary caches added to nix.settings and given to the daemon, so prebuilt closures are fetched instead of built.";
    };

    substituterKeys = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "my-fleet-cache-1:AAAA..." ];
      description = ''
        Public keys of binary caches (nix.settings.extra-trusted-public-keys), added whether or not
        extraSubstituters is set (the cache may be configured elsewhere) and passed with the
        daemon's builds.
      '';
    };

    trustedKeys = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "npc-ed25519-public:..." ];
      description = ''
        Public keys (`npc-ed25519-public:...` lines or key files, from `npc keys generate`) whose
        signatures the daemon requires on remotes. With keys set, a remote must be signed by one
        of them for the very name this host follows, at a publish sequence no lower than one the
        host accepted before; anything else (unsigned, another key, a copy of another remote, an
        older version put back) is refused before a byte of it is downloaded, and a pre-built
        toplevel is realised only when that signed remote names it for this configuration.
        Empty: remotes are checked against their sha256 only (the daemon warns at start).
      '';
    };

    allowedRemotes = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "prod-canary" "prod" ];
      description = ''
        Remotes this host may follow. A desired.json naming another is refused and reported in
        state.json, and that remote is not even read: whoever can write desired.json cannot
        point the host at another signed remote (say, staging). Empty: any remote.
      '';
    };

    metrics = {
      enable = mkEnableOption "a Prometheus text file with npc's state, for node_exporter's textfile collector";
      path = mkOption {
        type = types.path;
        default = "/var/lib/prometheus-node-exporter-text-files/npc.prom";
        description = "Where the daemon writes its metrics (point node_exporter's --collector.textfile.directory at its directory).";
      };
    };

    jvmOptions = mkOption {
      type = types.listOf types.str;
      # The flags every npc program runs with (bin/jvm.options, one place for all of them, the
      # heap bound included), and those of a daemon that keeps running when the timer is off
      # (bin/jvm-resident.options, as the package's npc-daemon adds them to `follow` without --once).
      default = import ../nix/args-file.nix ../bin/jvm.options
        ++ lib.optionals (!cfg.timer.enable) (import ../nix/args-file.nix ../bin/jvm-resident.options);
      defaultText = lib.literalExpression
        "(the flags in bin/jvm.options) ++ (unless timer.enable, the flags in bin/jvm-resident.options)";
      description = "Options for the daemon's JVM (NPC_JAVA_OPTS); they replace the package's defaults.";
    };

    timer = {
      enable = mkEnableOption "timer mode: a systemd timer runs `npc-daemon follow --once` every interval instead of a long-running service";
      randomizedDelay = mkOption {
        type = timeSpan;
        default = "30s";
        description = "Random delay added to each timer run, so a fleet does not poll in step.";
      };
    };
  };

  config = mkMerge [ (mkIf watchCfg.enable {
    assertions = [
      {
        assertion = watchCfg.store != null;
        message = "services.npc-watch.store is not set: set it to the store to watch, e.g. s3://my-fleet-bucket/fleet.";
      }
      {
        assertion = watchCfg.webhookFile != null || watchCfg.onChange != [ ];
        message = "services.npc-watch has nowhere to send events: set services.npc-watch.webhookFile or services.npc-watch.onChange.";
      }
    ];
    systemd.services.npc-watch = watchUnit;
  }) (mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = cfg.host == null || (builtins.match "[A-Za-z0-9][A-Za-z0-9._-]{0,62}" cfg.host != null
            && builtins.match ".*[.][.].*" cfg.host == null);
          message = "services.npc.host '${toString cfg.host}' is not a host name (1-63 characters from [A-Za-z0-9._-], starting with a letter or digit): set services.npc.host to the host's name in the store, or leave it null.";
        }
      ];

      systemd.services.npc = unit // lib.optionalAttrs (!cfg.timer.enable) {
        wantedBy = [ "multi-user.target" ];
      };

      systemd.tmpfiles.rules = optional cfg.metrics.enable "d ${dirOf cfg.metrics.path} 0755 root root -";

      environment.systemPackages = [ cfg.package ];
    }

    (mkIf cfg.timer.enable {
      systemd.timers.npc = {
        description = "npc: poll the store every ${cfg.interval}";
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnBootSec = "1min";
          OnUnitInactiveSec = cfg.interval;
          RandomizedDelaySec = cfg.timer.randomizedDelay;
          Persistent = false;
        };
      };
    })

    (mkIf (cfg.extraSubstituters != [ ]) {
      nix.settings.extra-substituters = cfg.extraSubstituters;
    })

    (mkIf (cfg.substituterKeys != [ ]) {
      nix.settings.extra-trusted-public-keys = cfg.substituterKeys;
    })
  ])) ];
}
