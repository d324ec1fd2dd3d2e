# services.npc: keeps this host on the configuration its desired.json names, by running
# npc-daemon, which pulls the packed flake from the store, builds, switches, checks health and
# rolls back on failure. See nixos/README.md.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption mkIf mkMerge types optional optionals concatMap;

  cfg = config.services.npc;

  # A systemd time span such as "60s", "5m" or "1h"; the daemon and the timer read the same text.
  timeSpan = types.strMatching "[0-9]+(ms|s|m|h)";

  # Every setting becomes an explicit flag, so `systemctl cat npc` shows exactly what the daemon
  # was told, and nothing depends on a config file that could be out of step with the unit.
  flag = name: value: [ "--${name}" (toString value) ];
  repeated = name: values: concatMap (flag name) values;

  daemonArgs =
    [ "--state-dir" "/var/lib/npc" "--store" cfg.store "--host" cfg.host
      "--interval" cfg.interval "--action" cfg.action ]
    ++ optionals (cfg.region != null) (flag "region" cfg.region)
    ++ optionals (cfg.endpointUrl != null) (flag "endpoint-url" cfg.endpointUrl)
    ++ optionals (cfg.configuration != null) (flag "configuration" cfg.configuration)
    ++ repeated "health-command" cfg.healthChecks.commands
    ++ repeated "health-url" cfg.healthChecks.urls
    ++ flag "health-timeout" cfg.healthChecks.timeout
    ++ optionals (cfg.hooks.preActivate != null) (flag "pre-activate" cfg.hooks.preActivate)
    ++ optionals (cfg.hooks.postActivate != null) (flag "post-activate" cfg.hooks.postActivate)
    ++ optionals (cfg.hooks.onFailure != null) (flag "on-failure" cfg.hooks.onFailure)
    ++ repeated "extra-substituter" cfg.extraSubstituters
    ++ optionals (cfg.buildTimeout != null) (flag "build-timeout" cfg.buildTimeout)
    ++ optionals (cfg.switchTimeout != null) (flag "switch-timeout" cfg.switchTimeout)
    ++ optionals (cfg.retries != null) (flag "retries" cfg.retries)
    ++ repeated "trusted-key" cfg.trustedKeys
    ++ repeated "allowed-remote" cfg.allowedRemotes
    ++ optionals cfg.metrics.enable (flag "metrics-file" cfg.metrics.path)
    ++ optional cfg.timer.enable "--once";

  # systemd's own quoting (not the shell's): a double-quoted C-style string, with % and $ doubled
  # so systemd expands no specifier or variable inside a health command or URL.
  systemdArg = arg: builtins.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON (toString arg));
  execStart = lib.concatMapStringsSep " " systemdArg ([ "${cfg.package}/bin/npc-daemon" "follow" ] ++ daemonArgs);

  environment = {
    # The daemon resolves every system-changing command through these, so tests can swap them.
    NPC_NIX_BIN = "${config.nix.package}/bin";
    NPC_SYSTEMCTL_BIN = "${config.systemd.package}/bin/systemctl";
    # When a switch brings a different npc, the daemon sees its launcher changed, reports, and
    # exits; systemd then starts the new one (Restart=always).
    NPC_SELF_PATH = "${cfg.package}/bin/npc-daemon";
    NPC_JAVA_OPTS = lib.concatStringsSep " " cfg.jvmOptions;
  } // lib.optionalAttrs (cfg.region != null) { AWS_REGION = cfg.region; };

  unit = {
    description = "npc: follow the configuration this host's desired.json names";
    documentation = [ "https://github.com/npc-dev/npc/blob/main/nixos/README.md" ];
    wants = [ "network-online.target" ];
    after = [ "network-online.target" ];
    # Health commands and hooks run with these (NixOS adds coreutils, grep, sed and systemd).
    path = [ config.nix.package pkgs.git pkgs.coreutils pkgs.curl ];
    inherit environment;

    # A switch must never stop or restart the daemon that is running the switch: the new
    # daemon version takes over when the daemon restarts itself after reporting, or at boot.
    restartIfChanged = false;
    stopIfChanged = false;

    serviceConfig = {
      ExecStart = execStart;
      StateDirectory = "npc";
      StateDirectoryMode = "0700";
      # Let a running switch finish when the host shuts down instead of cutting it in half.
      KillMode = "process";
      TimeoutStopSec = "5min";
    } // (if cfg.timer.enable then {
      Type = "oneshot";
    } else {
      Restart = "always";
      RestartSec = "10s";
    });
  };
in
{
  options.services.npc = {
    enable = mkEnableOption "npc-daemon, which keeps this host on the configuration published to an npc store";

    package = mkOption {
      type = types.package;
      description = ''
        The npc package providing bin/npc-daemon. The flake's nixosModules.default sets it to the
        flake's own package; set it yourself when importing nixos/module.nix directly.
      '';
    };

    store = mkOption {
      type = types.strMatching "(s3|file)://.+";
      example = "s3://my-fleet-bucket/fleet";
      description = "The npc store this host follows: s3://bucket/prefix (or file:///dir for local use).";
    };

    host = mkOption {
      # Checked by an assertion rather than the type, so an empty hostName gets a message that
      # says what to set.
      type = types.str;
      default = config.networking.hostName;
      defaultText = lib.literalExpression "config.networking.hostName";
      description = "The host's name in the store: it reads hosts/<host>/desired.json and writes hosts/<host>/state.json.";
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

    configuration = mkOption {
      type = types.nullOr (types.strMatching "[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
      default = null;
      description = "The nixosConfigurations attribute to build when desired.json names none; null means the host name.";
    };

    interval = mkOption {
      type = timeSpan;
      default = "60s";
      description = "Time between polls (the daemon adds jitter). A poll of an unchanged store costs two 304 answers.";
    };

    action = mkOption {
      type = types.enum [ "switch" "boot" "test" ];
      default = "switch";
      description = "What to do with a new system when desired.json names no action: switch-to-configuration switch, boot or test.";
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
      timeout = mkOption {
        type = timeSpan;
        default = "120s";
        description = "How long the health checks may take to pass before the switch counts as failed.";
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
      example = "15m";
      description = "Limit for switch-to-configuration; null keeps the daemon's default (15m).";
    };

    retries = mkOption {
      type = types.nullOr types.ints.unsigned;
      default = null;
      example = 2;
      description = "How often a failed version is tried again (with backoff) before npc waits for a new one; null keeps the daemon's default.";
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
      description = "Public keys of the extraSubstituters (nix.settings.extra-trusted-public-keys).";
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
        type = types.str;
        default = "/var/lib/prometheus-node-exporter-text-files/npc.prom";
        description = "Where the daemon writes its metrics (point node_exporter's --collector.textfile.directory at its directory).";
      };
    };

    jvmOptions = mkOption {
      type = types.listOf types.str;
      # The flags every npc program runs with (bin/jvm.options, one place for all of them), and a
      # heap bound: the daemon runs forever on hosts that are often small instances.
      default = import ../nix/args-file.nix ../bin/jvm.options ++ [ "-Xmx128m" ];
      defaultText = lib.literalExpression ''(the flags in bin/jvm.options) ++ [ "-Xmx128m" ]'';
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

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = builtins.match "[A-Za-z0-9][A-Za-z0-9._-]{0,62}" cfg.host != null
            && builtins.match ".*[.][.].*" cfg.host == null;
          message = "services.npc.host '${cfg.host}' is not a host name (1-63 characters from [A-Za-z0-9._-], starting with a letter or digit): set networking.hostName or services.npc.host to the host's name in the store.";
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
      nix.settings.extra-trusted-public-keys = cfg.substituterKeys;
    })
  ]);
}
