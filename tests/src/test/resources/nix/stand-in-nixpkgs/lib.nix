# A stand-in for the parts of nixpkgs' lib that npc's Nix files use, including a small module
# system. It is strict where mistakes hide: option types are checked, an option used without a
# value fails, conflicting definitions fail, failed assertions fail. It is lenient where the real
# NixOS would need all of nixpkgs: options nobody declares here (systemd.*, services.nginx.*) are
# taken as given. Tests use it offline, without a nixpkgs checkout.
let
  inherit (builtins) isAttrs isList isFunction isString isPath attrNames concatMap filter
    all any length head elem listToAttrs foldl' match;

  lib = rec {
    id = x: x;
    const = x: _: x;
    optional = cond: x: if cond then [ x ] else [ ];
    optionals = cond: xs: if cond then xs else [ ];
    optionalString = cond: s: if cond then s else "";
    optionalAttrs = cond: set: if cond then set else { };
    concatMap = builtins.concatMap;
    concatStringsSep = builtins.concatStringsSep;
    concatMapStringsSep = sep: f: xs: builtins.concatStringsSep sep (map f xs);
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    escapeShellArgs = xs: concatMapStringsSep " " escapeShellArg xs;
    genAttrs = names: f: listToAttrs (map (n: { name = n; value = f n; }) names);
    mapAttrs = builtins.mapAttrs;
    mapAttrsToList = f: set: map (n: f n set.${n}) (attrNames set);
    filterAttrs = pred: set: listToAttrs (concatMap
      (n: if pred n set.${n} then [ { name = n; value = set.${n}; } ] else [ ]) (attrNames set));
    unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
    makeBinPath = paths: concatMapStringsSep ":" (p: "${p}/bin") paths;
    getExe = pkg: "${pkg}/bin/${pkg.meta.mainProgram or pkg.pname or pkg.name}";
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    literalMD = text: { _type = "literalMD"; inherit text; };
    mdDoc = id;
    licenses.asl20 = { spdxId = "Apache-2.0"; };
    platforms.linux = [ "x86_64-linux" "aarch64-linux" ];

    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;

    # lib.fileset, the part npc's package uses: a union of files and directories (a directory means
    # everything in it), copied to the store by toSource. Like the real one, it refuses a path that
    # does not exist or lies outside root, and takes path values only (no strings).
    fileset = {
      unions = sets: {
        _type = "fileset";
        paths = concatMap (set: if isAttrs set && (set._type or null) == "fileset" then set.paths else [ set ]) sets;
      };
      toSource = { root, fileset }:
        let
          given = if isPath fileset then [ fileset ] else fileset.paths;
          check = path:
            if !isPath path then throw "stand-in lib.fileset: ${toString path} is not a path"
            else if !builtins.pathExists path then throw "stand-in lib.fileset: ${toString path} does not exist"
            else if !hasPrefix (toString root + "/") (toString path) then throw "stand-in lib.fileset: ${toString path} is not under ${toString root}"
            else toString path;
          wanted = map check given;
          keep = path: type: any (w: path == w || hasPrefix (w + "/") path || hasPrefix (path + "/") w) wanted;
        in
        builtins.path { name = "source"; path = root; filter = keep; };
    };

    recursiveUpdate = a: b: a // listToAttrs (map (n: {
      name = n;
      value = if isAttrs (a.${n} or null) && isAttrs b.${n} then recursiveUpdate a.${n} b.${n} else b.${n};
    }) (attrNames b));

    # ---- options and definitions
    mkOption = attrs: attrs // { _type = "option"; };
    # nixpkgs' lib/options.nix mkPackageOption: an option of type package defaulting to pkgs.<name>.
    mkPackageOption = pkgs: name: { default ? name, example ? null, extraDescription ? "", ... }:
      mkOption {
        type = types.package;
        default = pkgs.${default} or (throw "stand-in lib: ${default} cannot be found in pkgs");
        defaultText = literalExpression "pkgs.${default}";
        description = "The ${name} package to use." + extraDescription;
      };
    mkEnableOption = name: mkOption { type = types.bool; default = false; description = "Whether to enable ${name}."; };
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    mkOverride = priority: content: { _type = "override"; inherit priority content; };
    mkDefault = mkOverride 1000;
    mkForce = mkOverride 50;
    mkBefore = id;
    mkAfter = id;

    types = rec {
      mkType = name: check: mergeKind: { _type = "type"; inherit name check mergeKind; };
      bool = mkType "bool" builtins.isBool "unique";
      str = mkType "str" isString "unique";
      lines = mkType "lines" isString "lines";
      int = mkType "int" builtins.isInt "unique";
      ints.positive = mkType "positive int" (v: builtins.isInt v && v > 0) "unique";
      ints.unsigned = mkType "unsigned int" (v: builtins.isInt v && v >= 0) "unique";
      port = mkType "port" (v: builtins.isInt v && v >= 0 && v < 65536) "unique";
      path = mkType "path" (v: isPath v || (isString v && builtins.substring 0 1 v == "/")) "unique";
      package = mkType "package" (v: isAttrs v && (v.type or null) == "derivation") "unique";
      anything = mkType "anything" (_: true) "unique";
      enum = values: mkType "one of ${concatMapStringsSep ", " toString values}" (v: elem v values) "unique";
      strMatching = re: mkType "string matching ${re}" (v: isString v && match re v != null) "unique";
      nullOr = t: mkType "null or ${t.name}" (v: v == null || t.check v) t.mergeKind;
      listOf = t: mkType "list of ${t.name}" (v: isList v && all t.check v) "list";
      attrsOf = t: mkType "attribute set of ${t.name}" (v: isAttrs v && all (n: t.check v.${n}) (attrNames v)) "attrs";
    };

    # ---- the module system
    isOption = v: isAttrs v && (v._type or null) == "option";
    showPath = concatStringsSep ".";

    # Pushes mkIf/mkMerge/mkOverride below an attribute set without forcing any condition, so the
    # names of config's attributes never depend on config itself.
    flattenDef = path: def:
      if isAttrs def && def ? _type then
        if def._type == "if" then map (mapAttrs (_: mkIf def.condition)) (flattenDef path def.content)
        else if def._type == "merge" then concatMap (flattenDef path) def.contents
        else if def._type == "override" then map (mapAttrs (_: mkOverride def.priority)) (flattenDef path def.content)
        else throw "stand-in lib: ${showPath path} must be an attribute set"
      else if isAttrs def then [ def ]
      else throw "stand-in lib: ${showPath path} must be an attribute set, got a ${builtins.typeOf def}";

    # The active definitions with their priorities (evaluates mkIf conditions).
    activeDefs = priority: def:
      if isAttrs def && def ? _type then
        if def._type == "if" then (if def.condition then activeDefs priority def.content else [ ])
        else if def._type == "merge" then concatMap (activeDefs priority) def.contents
        else if def._type == "override" then activeDefs def.priority def.content
        else [ { inherit priority; value = def; } ]
      else [ { inherit priority; value = def; } ];

    winners = defs:
      let
        active = concatMap (activeDefs 100) defs;
        best = foldl' (m: d: if d.priority < m then d.priority else m) 100000 active;
      in map (d: d.value) (filter (d: d.priority == best) active);

    mergeValues = path: kind: values:
      if kind == "list" then concatMap id values
      else if kind == "lines" then concatStringsSep "\n" values
      else if kind == "attrs" then foldl' (a: b: a // b) { } values
      else if all (v: v == head values) values then head values
      else throw "stand-in lib: the option `${showPath path}' has conflicting definitions";

    resolveOption = path: opt: defs:
      let
        values = winners defs;
        value =
          if values == [ ] then
            (if opt ? default then opt.default else throw "stand-in lib: the option `${showPath path}' is used but not defined")
          else mergeValues path opt.type.mergeKind values;
        checked =
          if opt.type.check value then value
          else throw "stand-in lib: the option `${showPath path}' is not of type `${opt.type.name}' (value: ${builtins.toJSON value})";
      in if opt ? apply then opt.apply checked else checked;

    isPlainAttrs = v: isAttrs v && !(v ? _type) && (v.type or null) != "derivation";

    # Options nobody declares here: attribute sets merge, lists concatenate, the rest must agree.
    mergeFree = path: defs:
      let values = winners defs;
      in
      if all isPlainAttrs values then
        genAttrs (unique (concatMap attrNames values))
          (n: mergeFree (path ++ [ n ]) (concatMap (v: if v ? ${n} then [ v.${n} ] else [ ]) values))
      else if all isList values then concatMap id values
      else mergeValues path "unique" values;

    mergeAt = path: decl: defs:
      if isOption decl then resolveOption path decl defs
      else if decl == null then mergeFree path defs
      else
        let flat = concatMap (flattenDef path) defs;
        in genAttrs (unique (attrNames decl ++ concatMap attrNames flat))
          (n: mergeAt (path ++ [ n ]) (decl.${n} or null) (concatMap (d: if d ? ${n} then [ d.${n} ] else [ ]) flat));

    evalModules = { modules, specialArgs ? { } }:
      let
        args = { inherit lib config options; } // specialArgs;
        load = key: m:
          let
            fn = if isPath m || isString m then import m else m;
            result = if isFunction fn then fn args else fn;
            explicit = result ? options || result ? config;
          in {
            inherit key;
            imports = result.imports or [ ];
            options = result.options or { };
            config = if explicit then result.config or { } else removeAttrs result [ "imports" "_file" "key" "meta" ];
          };
        keyOf = parent: i: m: if isPath m || isString m then toString m else "${parent}#${toString i}";
        loaded = builtins.genericClosure {
          startSet = builtins.genList (i: load (keyOf "<root>" i (builtins.elemAt modules i)) (builtins.elemAt modules i)) (length modules);
          operator = item: builtins.genList
            (i: let m = builtins.elemAt item.imports i; in load (keyOf item.key i m) m)
            (length item.imports);
        };
        options = foldl' recursiveUpdate { } (map (m: m.options) loaded);
        config = mergeAt [ ] options (map (m: m.config) loaded);
      in { inherit config options; };

    # nixosSystem: evaluates the modules, fails on failed assertions, and gives a toplevel
    # derivation that carries the whole evaluated configuration (so `nix flake check`, which only
    # looks at toplevel, has evaluated every definition by then).
    # pkgs is built for nixpkgs.hostPlatform (or the legacy system argument) with
    # nixpkgs.overlays applied, as NixOS does.
    nixosSystem = { system ? null, modules, specialArgs ? { }, ... }:
      let
        hostSystem =
          if config.nixpkgs.hostPlatform != null then config.nixpkgs.hostPlatform
          else if system != null then system
          else throw "stand-in nixosSystem: neither nixpkgs.hostPlatform nor system is set";
        pkgs = import ./pkgs.nix { inherit lib; system = hostSystem; overlays = config.nixpkgs.overlays; };
        evaluated = evalModules {
          modules = [ ./nixos/modules/base.nix ] ++ modules;
          specialArgs = { inherit pkgs; modulesPath = toString ./nixos/modules; } // specialArgs;
        };
        config = evaluated.config;
        failed = filter (a: !a.assertion) (config.assertions or [ ]);
        # Overlays are functions, which have no JSON form.
        summary = builtins.toJSON (removeAttrs config [ "system" "nixpkgs" ]);
        toplevel =
          if failed != [ ] then throw "Failed assertions:\n- ${concatMapStringsSep "\n- " (a: a.message) failed}"
          else builtins.seq summary (derivation {
            name = "nixos-system-${config.networking.hostName}-stand-in";
            inherit summary;
            system = hostSystem;
            builder = "/bin/sh";
            args = [ "-c" "echo this is a stand-in system and cannot be built >&2; exit 1" ];
          });
      in {
        inherit pkgs;
        inherit (evaluated) options;
        config = config // {
          system = (config.system or { }) // { build = (config.system.build or { }) // { inherit toplevel; }; };
        };
      };
  };
in
lib
