using Genomics.Cli;

return CliApp.Run(args);
