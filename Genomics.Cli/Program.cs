using Genomics.Cli;

MallocTuning.Apply();
return CliApp.Run(args);
