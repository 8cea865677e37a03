namespace Genomics.Data.TwoBit;

/// <summary>How far a <see cref="TwoBitWriter.Write"/> has got: the record being packed and bases done over all records.</summary>
public readonly record struct TwoBitWriteProgress(string Record, int RecordIndex, int RecordCount, long BasesDone, long BasesTotal);
