namespace GnnSim.Viz.Fields;

/// <summary>A rectangle of pixels in an image: left, top, width, height.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
}
