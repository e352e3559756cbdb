import assert from "node:assert/strict";
import {
  acceptDetectedType,
  isOrphanDue,
  isServableKey,
  isUploadedMediaId,
  newMediaId,
  servedContentType,
  sizeLimitFor,
  variantWidthsFor,
  wouldExceedQuota,
} from "../../src/media/media.rules";

describe("media rules", () => {
  it("accepts the listed image and video types, stores HEIC as JPEG, refuses the rest", () => {
    assert.deepEqual(acceptDetectedType("image/jpeg"), { kind: "image", storedMime: "image/jpeg", ext: "jpg" });
    assert.deepEqual(acceptDetectedType("image/heic"), { kind: "image", storedMime: "image/jpeg", ext: "jpg" });
    assert.equal(acceptDetectedType("video/quicktime")?.ext, "mov");
    for (const refused of ["image/gif", "image/svg+xml", "application/x-elf", "text/plain", "application/pdf", undefined]) {
      assert.equal(acceptDetectedType(refused), null, String(refused));
    }
  });

  it("picks the limit by kind", () => {
    const limits = { MEDIA_IMAGE_MAX_BYTES: 10, MEDIA_VIDEO_MAX_BYTES: 99 };
    assert.equal(sizeLimitFor("image", limits), 10);
    assert.equal(sizeLimitFor("video", limits), 99);
  });

  it("makes only variants narrower than the original", () => {
    assert.deepEqual(variantWidthsFor(4000), [1080, 480]);
    assert.deepEqual(variantWidthsFor(1080), [480]);
    assert.deepEqual(variantWidthsFor(480), []);
  });

  it("serves only keys it writes: our ids and plain file names", () => {
    const id = newMediaId();
    assert.equal(isUploadedMediaId(id), true);
    assert.notEqual(newMediaId(), id);
    assert.equal(isServableKey(id, "original.jpg"), true);
    for (const name of ["..", "../x.jpg", ".hidden.jpg", "a/b.jpg", "x.jpg\0", "ORIGINAL.JPG", "original"]) assert.equal(isServableKey(id, name), false, name);
    assert.equal(isServableKey("..", "original.jpg"), false);
    assert.equal(isServableKey("md_notahexid", "original.jpg"), false);
    assert.equal(isUploadedMediaId("media-uuid"), false, "opaque ids from elsewhere are not ours");
  });

  it("quota and orphan decisions", () => {
    assert.equal(wouldExceedQuota(90, 10, 100), false);
    assert.equal(wouldExceedQuota(90, 11, 100), true);
    const t0 = new Date("2026-01-01T00:00:00Z");
    const later = (h: number) => new Date(t0.getTime() + h * 3600_000);
    assert.equal(isOrphanDue(t0, later(23.9), 24, false), false);
    assert.equal(isOrphanDue(t0, later(24), 24, false), true);
    assert.equal(isOrphanDue(t0, later(1000), 24, true), false, "a referenced media is never an orphan");
  });

  it("serves by the extension it gave", () => {
    assert.equal(servedContentType("original.mov"), "video/quicktime");
    assert.equal(servedContentType("thumb.jpg"), "image/jpeg");
    assert.equal(servedContentType("x.bin"), "application/octet-stream");
  });
});
