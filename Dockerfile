# DL Playground: one image for every way of hosting it (deploy/README.md).
#
#   docker build -t dl-playground .                 # CPU build of torch
#   docker run -p 8501:8501 dl-playground           # one app process, for one person or a small group
#   docker run -p 8080:8080 dl-playground python -m core.serve --port 8080   # a whole class box in one container
#   docker compose up --build                       # nginx + N replicas + Redis as separate containers
#
# GPU: build with the CUDA wheels of torch, which bring their own CUDA runtime (the host needs the NVIDIA driver
# and the NVIDIA container toolkit; run with --gpus all):
#   docker build -t dl-playground:cuda --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu126 .
ARG BASE=python:3.11-slim
FROM ${BASE}

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# nginx and redis-server only serve `python -m core.serve` inside one container; compose runs its own images.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx redis-server \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# torch first, from the CPU (or CUDA) index: requirements.txt names plain `torch`, which from PyPI would be a
# multi-GB CUDA build on Linux.
RUN pip install torch --index-url ${TORCH_INDEX}
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

RUN useradd --create-home --uid 10001 app
USER app
EXPOSE 8501 8080
CMD ["python", "-m", "streamlit", "run", "streamlit_app.py", \
     "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true", \
     "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
