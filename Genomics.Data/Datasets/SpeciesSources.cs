namespace Genomics.Data.Datasets;

/// <summary>
/// Finds the genome file of each species: either a directory with one file per species (the name is the
/// file name without .fa/.fasta/.fna/.2bit and .gz), or a manifest (TSV <c>species&lt;TAB&gt;path</c>).
/// Only locates files; opening them is the caller's opener.
/// </summary>
public static class SpeciesSources
{
    // Longest first, so "x.fa.gz" loses ".fa.gz" rather than ".gz".
    static readonly string[] GenomeSuffixes = [".fasta.gz", ".fna.gz", ".fa.gz", ".fasta", ".fna", ".fa", ".2bit"];

    /// <summary>
    /// One source per genome file directly in <paramref name="directory"/>, in file-name order. Index files
    /// (.fai, .gzi) and anything else without a genome suffix are skipped; subdirectories are not searched.
    /// </summary>
    public static IReadOnlyList<SpeciesSource> FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: species directory not found");
        }
        var sources = new List<SpeciesSource>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string? species = SpeciesName(System.IO.Path.GetFileName(path));
            if (species is null)
            {
                continue;
            }
            if (seen.TryGetValue(species, out string? other))
            {
                throw new DataFormatException(path, $"species '{species}' already comes from {System.IO.Path.GetFileName(other)}",
                    "keep one genome file per species in the directory");
            }
            seen[species] = path;
            sources.Add(new SpeciesSource(species, path));
        }
        if (sources.Count == 0)
        {
            throw new DataFormatException(directory, "no genome files (.fa, .fasta, .fna, optionally .gz, or .2bit)");
        }
        return sources;
    }

    /// <summary>
    /// Reads a manifest: one <c>species&lt;TAB&gt;path</c> per line, paths relative to the manifest's folder;
    /// blank lines and lines starting with '#' are skipped, as is a first line reading <c>species&lt;TAB&gt;path</c>.
    /// Errors name manifest:line.
    /// </summary>
    public static IReadOnlyList<SpeciesSource> FromManifest(string manifest)
    {
        if (!File.Exists(manifest))
        {
            throw new FileNotFoundException($"{manifest}: species manifest not found", manifest);
        }
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(manifest))!;
        var sources = new List<SpeciesSource>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(manifest))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] fields = line.Split('\t');
            if (fields.Length != 2)
            {
                throw new DataFormatException(manifest, lineNumber, $"expected 2 tab-separated fields 'species<TAB>path', found {fields.Length}");
            }
            string species = fields[0].Trim();
            string file = fields[1].Trim();
            if (lineNumber == 1 && species.Equals("species", StringComparison.OrdinalIgnoreCase) && file.Equals("path", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (species.Length == 0)
            {
                throw new DataFormatException(manifest, lineNumber, "empty species name");
            }
            if (file.Length == 0)
            {
                throw new DataFormatException(manifest, lineNumber, $"empty path for species '{species}'");
            }
            if (seen.TryGetValue(species, out int first))
            {
                throw new DataFormatException(manifest, lineNumber, $"species '{species}' is already listed on line {first}");
            }
            string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, file));
            if (!File.Exists(path))
            {
                throw new DataFormatException(manifest, lineNumber, $"genome file '{file}' of species '{species}' not found", $"looked for {path}");
            }
            seen[species] = lineNumber;
            sources.Add(new SpeciesSource(species, path));
        }
        if (sources.Count == 0)
        {
            throw new DataFormatException(manifest, "lists no species");
        }
        return sources;
    }

    /// <summary>The species a genome file name stands for ("gorilla.fa.gz" → "gorilla"), or null when it is not a genome file.</summary>
    public static string? SpeciesName(string fileName)
    {
        foreach (string suffix in GenomeSuffixes)
        {
            if (fileName.Length > suffix.Length && fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return fileName[..^suffix.Length];
            }
        }
        return null;
    }
}
