// genomamba build script: `dotnet tool restore && dotnet cake` (default target: Build + Test).
// The same steps as the README's commands; CI calls `dotnet test genomamba.sln` directly (see .ci/run).
//   dotnet cake --target=Native      the native scan library alone (CMake; what `dotnet build` runs first)
//   dotnet cake --target=Notebooks   run every notebook headless (the tests do the same, with asserts)
//   dotnet cake --target=Bench       a short pass of genomamba bench data, scan and model (--bench-args="..." adds options)
//   dotnet cake --target=CudaCheck   build native/ with CUDA and run the GPU check (needs nvcc and a GPU)
//   dotnet cake --target=Pack        self-contained genomamba for linux-x64 in artifacts/genomamba-linux-x64
var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var benchArgs = Argument("bench-args", "");

Task("Clean").Does(() =>
{
    CleanDirectories("./**/bin/" + configuration);
    CleanDirectories("./**/obj/" + configuration);
    CleanDirectories("./artifacts");
});

Task("Native").Does(() =>
{
    // The same script and build folder build/Native.targets uses, so `dotnet build` afterwards is a no-op for native/.
    var exit = StartProcess("sh", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("native/tools/build.sh").Append("native").Append("Genomics.Mamba/obj/native"),
    });
    if (exit != 0) throw new Exception($"native build failed (exit {exit})");
});

Task("Build").IsDependentOn("Native").Does(() =>
{
    DotNetBuild("./genomamba.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    DotNetTest("./genomamba.sln", new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

Task("Notebooks").IsDependentOn("Build").Does(() =>
{
    // Notebooks #r the Debug build (what `dotnet build` gives); build it too when this run is Release.
    if (configuration != "Debug")
    {
        DotNetBuild("./genomamba.sln", new DotNetBuildSettings { Configuration = "Debug" });
    }
    var outDir = Directory("./artifacts/notebooks");
    EnsureDirectoryExists(outDir);
    foreach (var nb in GetFiles("./notebooks/*.ipynb"))
    {
        Information($"running {nb.GetFilename()}");
        var exit = StartProcess("dotnet", new ProcessSettings
        {
            WorkingDirectory = "./notebooks",
            Arguments = new ProcessArgumentBuilder().Append("tool").Append("run").Append("dotnet-repl").Append("--")
                .Append("--run").AppendQuoted(nb.FullPath).Append("--exit-after-run")
                .Append("--output-path").AppendQuoted(MakeAbsolute(outDir.Path.CombineWithFilePath(nb.GetFilename())).FullPath),
        });
        if (exit != 0) throw new Exception($"{nb.GetFilename()}: a cell failed (dotnet-repl exit {exit})");
    }
});

Task("Bench").IsDependentOn("Build").Does(() =>
{
    // A short pass of each benchmark; --bench-args="…" is appended to every one (e.g. "--json").
    var runs = new (string What, string Args)[]
    {
        ("data", "--repeats 3"),
        ("scan", "--lens 4096 65536"),
        ("model", "--quick"),
    };
    foreach (var (what, args) in runs)
    {
        DotNetRun("./Genomics.Cli/Genomics.Cli.csproj", new ProcessArgumentBuilder().Append("bench").Append(what).Append(args).Append(benchArgs),
            new DotNetRunSettings { Configuration = configuration, NoBuild = true });
    }
});

Task("CudaCheck").Does(() =>
{
    // native/tools/gpu_check.sh needs only CMake and nvcc: it is also what to run on a GPU box without .NET.
    var exit = StartProcess("sh", new ProcessSettings { Arguments = new ProcessArgumentBuilder().Append("native/tools/gpu_check.sh") });
    if (exit != 0) throw new Exception($"GPU check failed (exit {exit}: 1 mismatch, 2 error, 3 no GPU, 4 build failed)");
});

Task("Pack").Does(() =>
{
    DotNetPublish("./Genomics.Cli/Genomics.Cli.csproj", new DotNetPublishSettings
    {
        Configuration = configuration,
        Runtime = "linux-x64",
        SelfContained = true,
        OutputDirectory = "./artifacts/genomamba-linux-x64",
    });
});

Task("Default").IsDependentOn("Build").IsDependentOn("Test");

RunTarget(target);
