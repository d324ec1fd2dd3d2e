# The npc-daemon flag each services.npc option becomes, in the order the unit passes them
# (module.nix renders them: a null or false value passes nothing, true the bare flag, a list the
# flag once per item). One list, held against the daemon's own settings by the tests
# (NixosModuleTest: npc-daemon's dev.npc.daemon.config.Settings), so a daemon setting without an
# option here, or an option that reaches the daemon as no flag, fails them; the flags the module
# deliberately leaves out (it sets --nix-bin and the like through the unit's environment) are
# listed there, each with its reason.
[
  # null: the store and host `npc-daemon install` recorded in config.json (the EC2 bootstrap's).
  { option = [ "store" ]; flag = "store"; }
  { option = [ "host" ]; flag = "host"; }
  { option = [ "interval" ]; flag = "interval"; }
  { option = [ "action" ]; flag = "action"; }
  { option = [ "window" ]; flag = "window"; }
  { option = [ "reboot" ]; flag = "reboot"; }
  { option = [ "region" ]; flag = "region"; }
  { option = [ "endpointUrl" ]; flag = "endpoint-url"; }
  { option = [ "configuration" ]; flag = "configuration"; }
  { option = [ "healthChecks" "commands" ]; flag = "health-command"; }
  { option = [ "healthChecks" "urls" ]; flag = "health-url"; }
  { option = [ "healthChecks" "tcp" ]; flag = "health-tcp"; }
  { option = [ "healthChecks" "timeout" ]; flag = "health-timeout"; }
  { option = [ "healthChecks" "strict" ]; flag = "health-strict"; }
  { option = [ "hooks" "preActivate" ]; flag = "pre-activate"; }
  { option = [ "hooks" "postActivate" ]; flag = "post-activate"; }
  { option = [ "hooks" "onFailure" ]; flag = "on-failure"; }
  { option = [ "extraSubstituters" ]; flag = "extra-substituter"; }
  { option = [ "substituterKeys" ]; flag = "substituter-key"; }
  { option = [ "buildTimeout" ]; flag = "build-timeout"; }
  { option = [ "switchTimeout" ]; flag = "switch-timeout"; }
  { option = [ "retries" ]; flag = "retries"; }
  { option = [ "retryBackoff" ]; flag = "retry-backoff"; }
  { option = [ "keepGenerations" ]; flag = "keep-generations"; }
  { option = [ "trustedKeys" ]; flag = "trusted-key"; }
  { option = [ "allowedRemotes" ]; flag = "allowed-remote"; }
  # Only while metrics.enable is set: the path has a default.
  { option = [ "metrics" "path" ]; flag = "metrics-file"; when = [ "metrics" "enable" ]; }
]
