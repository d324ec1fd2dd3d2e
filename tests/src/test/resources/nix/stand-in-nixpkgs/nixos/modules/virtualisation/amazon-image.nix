# Stand-in for nixpkgs' EC2 image module: the real one sets up disks, console and metadata.
{ ... }:
{
  ec2.standIn = true;
}
