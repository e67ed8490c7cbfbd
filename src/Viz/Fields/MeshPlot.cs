namespace GnnSim.Viz.Fields;

/// <summary>A mesh drawn as its edges (a wireframe), the picture of a mesh a mesh mover changed.</summary>
public static class MeshPlot
{
    public static RgbaImage Wireframe(TriangleDomain mesh, string? title = null, int width = 640)
    {
        const int margin = 16;
        var (meshWidth, meshHeight) = mesh.SizeFor(width - 2 * margin);
        var titleHeight = title is null ? 0 : BitmapFont.Height(2) + 12;
        var image = new RgbaImage(meshWidth + 2 * margin, meshHeight + 2 * margin + titleHeight, Rgba.White);
        if (title is not null) image.DrawTextCentred(title, image.Width / 2, margin, Rgba.Ink, 2);
        mesh.DrawEdges(image, new PixelRect(margin, margin + titleHeight, meshWidth, meshHeight), new Rgba(31, 80, 150));
        return image;
    }
}
