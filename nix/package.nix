# npc as a Nix package (flake.nix: packages.<system>.npc and overlays.default).
#
# Every byte the build takes from Maven Central has a hash in this repository: nix/maven-lock.json,
# written by nix/maven-lock.sh from a real build in an empty local repository, lists each file
# with its URL and sha256. Each becomes one fixed-output fetch, placed at its path in a Maven
# repository layout, and Maven builds offline against that repository. (nixpkgs'
# buildMavenPackage instead hashes the whole downloaded repository at once, a hash that can only
# be learnt by running nix build; these can be computed and checked without Nix.)
{ lib, stdenv, fetchurl, linkFarm, maven, jre_headless, makeWrapper }:

let
  version = "0.1.0";
  readArgs = import ./args-file.nix;
  lock = builtins.fromJSON (builtins.readFile ./maven-lock.json);

  # The build's arguments, and the lock that was written for exactly these (see nix/maven-lock.sh).
  mavenArgs =
    let args = readArgs ./maven-build.args;
    in if lock.mavenArgs == args then args
    else throw "nix/maven-lock.json was written for other Maven arguments than nix/maven-build.args; run nix/maven-lock.sh";

  # The JVM flags of both programs, shared with bin/npc, bin/npc-daemon and the NixOS module.
  jvmOptions = readArgs ../bin/jvm.options;
  # What npc-daemon adds to them when it keeps running (follow without --once), as bin/npc-daemon
  # does; the module's default adds them when the timer is off.
  residentJvmOptions = readArgs ../bin/jvm-resident.options;
  # npc-daemon's wrapper runs bin/keeps-running.sh on its arguments, as bin/npc-daemon does, and adds
  # those flags when it sets npc_keeps_running.
  residentScan = builtins.readFile ../bin/keeps-running.sh + ''
    npc_resident=''${npc_keeps_running:+${lib.concatStringsSep " " residentJvmOptions}}
  '';

  mavenRepository = linkFarm "npc-maven-repository" (map
    (artifact: {
      name = artifact.path;
      path = fetchurl { inherit (artifact) url hash; };
    })
    lock.artifacts);

  # The Maven build sees only the poms and the programs' main sources: editing a README, the docs,
  # a test, the NixOS module or the JVM flags does not rebuild it.
  jars = stdenv.mkDerivation {
    pname = "npc-jars";
    inherit version;
    src = lib.fileset.toSource {
      root = ../.;
      fileset = lib.fileset.unions [
        ../pom.xml
        ../npc-core/pom.xml
        ../npc-core/src/main
        ../npc-cli/pom.xml
        ../npc-cli/src/main
        ../npc-daemon/pom.xml
        ../npc-daemon/src/main
        # Maven reads every module of the reactor, even the ones it does not build.
        ../npc-demo/pom.xml
        ../tests/pom.xml
      ];
    };
    nativeBuildInputs = [ maven ];
    buildPhase = ''
      runHook preBuild
      # A writable copy of the repository's directories (Maven writes beside the artifacts), whose
      # files stay links to the fetched store paths.
      cp -dR --no-preserve=mode ${mavenRepository} "$TMPDIR/m2"
      mvn --offline -Dmaven.repo.local="$TMPDIR/m2" ${lib.escapeShellArgs mavenArgs}
      runHook postBuild
    '';
    # Each program is a thin jar plus its lib/ directory (see the poms).
    installPhase = ''
      runHook preInstall
      for module in npc-cli npc-daemon; do
        mkdir -p "$out/share/npc/$module"
        cp "$module/target/$module.jar" "$out/share/npc/$module/"
        cp -r "$module/target/lib" "$out/share/npc/$module/"
      done
      runHook postInstall
    '';
  };
in
stdenv.mkDerivation {
  pname = "npc";
  inherit version;
  dontUnpack = true;
  nativeBuildInputs = [ makeWrapper ];
  # The wrappers run the jars on a headless JRE with the flags of bin/jvm.options; NPC_JAVA_OPTS
  # replaces those (the NixOS module sets it from services.npc.jvmOptions).
  installPhase = ''
    runHook preInstall
    mkdir -p "$out/share" "$out/share/doc/npc"
    ln -s ${jars}/share/npc "$out/share/npc"
    mkdir -p "$out/share/npc-archives"
    # A JRE that does not know one of bin/jvm.options' flags refuses to start: fail here, once,
    # rather than on every host that installs this package.
    ${jre_headless}/bin/java ${lib.escapeShellArgs (jvmOptions ++ residentJvmOptions)} -version
    for program in npc-cli:npc npc-daemon:npc-daemon; do
      module=''${program%%:*}; name=''${program##*:}
      # Each program's class data sharing archive, from a training run on this JRE and this jar at
      # the path it runs from (bin/cds-archive); a run that writes none leaves the wrapper's
      # -XX:SharedArchiveFile naming a missing file, which -Xshare:auto ignores.
      bash ${../bin/cds-archive} ${jre_headless}/bin/java ${../bin/jvm.options} "$name" \
        "$out/share/npc/$module/$module.jar" "$out/share/npc-archives/$module.jsa"
      resident=()
      if [ "$name" = npc-daemon ]; then
        resident=(--run ${lib.escapeShellArg residentScan})
      fi
      makeWrapper ${jre_headless}/bin/java "$out/bin/$name" "''${resident[@]}" \
        --add-flags "\''${NPC_JAVA_OPTS:-${lib.concatStringsSep " " jvmOptions}''${resident:+ \$npc_resident}}" \
        --add-flags "-XX:SharedArchiveFile=$out/share/npc-archives/$module.jsa" \
        --add-flags "-jar $out/share/npc/$module/$module.jar"
    done
    # What services.npc's unit can name in its documentation.
    cp ${../nixos/README.md} "$out/share/doc/npc/nixos-module.md"
    runHook postInstall
  '';

  passthru = { inherit jars mavenRepository jvmOptions residentJvmOptions residentScan mavenArgs; };

  meta = {
    description = "Pull-based provisioning of NixOS fleets through an object store";
    license = lib.licenses.asl20;
    mainProgram = "npc";
    platforms = lib.platforms.linux;
  };
}
