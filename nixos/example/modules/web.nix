# The role every host in this example plays: a small web server. The canary runs the same role,
# so what breaks on the canary would break on the wave.
{ config, lib, ... }:
{
  services.nginx = {
    enable = true;
    virtualHosts.default = {
      default = true;
      locations."/".return = "200 '${config.networking.hostName} is up\\n'";
      locations."/healthz".return = "200 'ok\\n'";
    };
  };

  networking.firewall.allowedTCPPorts = [ 80 ];

  # npc checks the page after every switch and rolls back when it does not answer.
  services.npc.healthChecks.urls = [ "http://127.0.0.1/healthz" ];
}
