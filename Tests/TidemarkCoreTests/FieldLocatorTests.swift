import Testing
import TidemarkCore

struct FieldLocatorTests {
    let file = SourceFile(path: "manifests/serving.yaml", bytes: Array("""
        apiVersion: tidemark.dev/v1alpha1
        kind: Model
        metadata: {name: xgb}
        spec:
          primaryContainer: {image: i}
        ---
        apiVersion: tidemark.dev/v1alpha1
        kind: EndpointConfig
        metadata:
          name: detector
        spec:
          productionVariants:
            - variantName: primary
              modelName: xgb
              instanceType: ml.m5.xlarge
            - variantName: shadow
              instanceType: ml.c5.large
        """.utf8))

    @Test func aFieldPathFindsItsLineByIndexOrByName() {
        let id = ResourceID(.endpointConfig, "detector")
        #expect(FieldLocator.locate(file, id, field: "productionVariants[0].instanceType")?.description == "manifests/serving.yaml:15:21")
        #expect(FieldLocator.locate(file, id, field: "productionVariants[shadow].instanceType")?.description == "manifests/serving.yaml:17:21")
        // A member the manifest leaves out: the nearest enclosing field that is written.
        #expect(FieldLocator.locate(file, id, field: "productionVariants[1].serverlessConfig.memorySizeInMB")?.line == 16)
        #expect(FieldLocator.locate(file, ResourceID(.model, "xgb"), field: "primaryContainer.image")?.line == 5)
        #expect(FieldLocator.locate(file, ResourceID(.model, "other"), field: "primaryContainer") == nil)
    }
}
