using Genomics.Cli;
using Genomics.Mamba.Memory;

MallocTuning.Apply();
return CliApp.Run(args);
