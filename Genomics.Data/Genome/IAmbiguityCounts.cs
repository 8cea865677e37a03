namespace Genomics.Data.Genome;

/// <summary>
/// A genome that can tell how many IUPAC ambiguity codes other than N (R Y K M S W B D H V) each record
/// holds. Fetched bases show those codes as N, so statistics need this to count them apart.
/// </summary>
public interface IAmbiguityCounts
{
    /// <summary>Number of non-N ambiguity codes in the record (each is served as N).</summary>
    long OtherIupacCount(int record);
}
